using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.CameraRegistry.Reports;

/// <summary>Routes under /api/reports: inventory, legal register, costs; JSON or <c>?format=csv</c>.</summary>
public static class ReportEndpoints
{
    public static RouteGroupBuilder MapReportEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/reports").WithTags("Reports")
            .RequireAuthorization(p => p.RequireRole(Identity.HubRoles.Administrator, Identity.HubRoles.CameraOwner, Identity.HubRoles.DataProtectionOfficer));
        group.MapGet("/inventory", async (RegistryDbContext db, TimeProvider time, IServiceProvider services, string? format, CancellationToken ct) =>
        {
            var (cameras, owners) = await LoadAsync(db, ct);
            var report = InventoryReport.Build(cameras, owners, time.GetUtcNow().UtcDateTime, services.GetService(typeof(ICameraMaskSites)) as ICameraMaskSites);
            return format == "csv"
                ? SafeCsv.File("inventory.csv", report.Rows().Select(r => new { r.Section, r.Key, r.Value }))
                : Results.Ok(report);
        }).Produces<InventoryReport>().WithSummary("Counts by owner, category, mode and legal basis; bases due for review.");

        group.MapGet("/register", async (RegistryDbContext db, TimeProvider time, string? format, CancellationToken ct) =>
        {
            var (cameras, owners) = await LoadAsync(db, ct);
            var report = RegisterReport.Build(cameras, owners, time.GetUtcNow().UtcDateTime);
            if (format != "csv")
            {
                return Results.Ok(report);
            }

            var rows = report.Owners.SelectMany(o =>
                o.Ongoing.Select(e => (o, State: "ongoing", e)).Concat(o.Ended.Select(e => (o, State: "ended", e))))
                .Select(x => new
                {
                    x.o.OwnerId, x.o.OwnerName, x.State, x.e.CameraId, x.e.Name, x.e.Category, x.e.SiteId, x.e.Purpose,
                    x.e.LegalBasis, x.e.Reference, x.e.DecidedOn, x.e.PermitValidUntil, x.e.GdprArticle, x.e.AllowedHours,
                    x.e.RetentionDays, x.e.Mode, x.e.Masking, x.e.SignagePosted, x.e.StartedAt, x.e.EndedAt,
                });
            return SafeCsv.File("register.csv", rows);
        }).Produces<RegisterReport>().WithSummary("The legal register: ongoing surveillance and surveillance ended in the last five years, per owner.");

        group.MapGet("/costs", async (RegistryDbContext db, TimeProvider time, IOptions<CostAssumptions> assumptions, string? format, CancellationToken ct) =>
        {
            var (cameras, owners) = await LoadAsync(db, ct);
            var report = CostReport.Build(cameras, owners, assumptions.Value, time.GetUtcNow().UtcDateTime);
            return format == "csv" ? SafeCsv.File("costs.csv", report.Rows.Append(report.Total)) : Results.Ok(report);
        }).Produces<CostReport>().WithSummary("Yearly cost of live versus stored footage per owner and category (SEK).");
        return group;
    }

    private static async Task<(List<Cameras.Camera>, Dictionary<string, string>)> LoadAsync(RegistryDbContext db, CancellationToken ct)
    {
        var cameras = await db.Cameras.AsNoTracking().ToListAsync(ct);
        var owners = await db.Organisations.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        return (cameras, owners);
    }
}
