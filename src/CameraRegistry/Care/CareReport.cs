using System.Globalization;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Care;

/// <summary>
/// One care unit's month. <see cref="Planned"/> counts visit rows; <see cref="Projected"/> the visits the schedules
/// give for the part of the month not yet written as rows (future days, or days before the hub ran), so
/// <see cref="Scheduled"/> is the month's supervision load either way.
/// </summary>
public sealed record CareUnitMonth(
    string CareUnit, string Month, int Scheduled, int Planned, int Projected, int Done, int Missed, int Cancelled, int Open,
    double AverageLookSeconds, int LooksOutsideSchedule, int SecondLooks);

/// <summary>GET /api/care/reports/visits?month=yyyy-MM: visits per care unit and month, JSON or <c>format=csv</c>.</summary>
public static class CareReport
{
    public static void MapCareReport(this RouteGroupBuilder group) =>
        group.MapGet("/reports/visits", async (HttpContext http, IDbContextFactory<CareDbContext> contexts, TimeProvider time, string? month, string? format, CancellationToken ct) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            var first = month is null
                ? new DateOnly(VisitSchedule.LocalDay(now).Year, VisitSchedule.LocalDay(now).Month, 1)
                : DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m) ? m : (DateOnly?)null;
            if (first is null)
            {
                return Results.Problem(statusCode: 400, title: "Bad month", detail: $"month '{month}' is not a month like 2026-11");
            }

            await using var db = await contexts.CreateDbContextAsync(ct);
            var units = await CareStaff.UnitsAsync(db, http.User, ct);
            var everything = CareStaff.SeesAllUnits(http.User) || http.User.IsInRole(HubRoles.CameraOwner);
            if (!everything && units.Count == 0)
            {
                return Results.Problem(statusCode: 403, title: "Not allowed", detail: "the care report is for care staff, camera owners, administrators and the DPO");
            }

            var rows = await BuildAsync(db, first.Value, everything ? null : units, ct);
            return format == "csv" ? SafeCsv.File($"care-visits-{first:yyyy-MM}.csv", rows) : Results.Ok(rows);
        }).WithSummary("Visits per care unit and month: scheduled, done, missed, average look length, looks outside the schedule.");

    /// <summary>The month's rows per unit (only <paramref name="units"/> when given), plus a total row "all".</summary>
    public static async Task<List<CareUnitMonth>> BuildAsync(CareDbContext db, DateOnly first, IReadOnlySet<string>? units, CancellationToken ct)
    {
        var next = first.AddMonths(1);
        // One snapshot: the keeper writes a day's visits and its planned-day mark together.
        await using var snapshot = await db.Database.BeginTransactionAsync(ct);
        var (from, to) = (VisitSchedule.ToUtc(first, TimeOnly.MinValue), VisitSchedule.ToUtc(next, TimeOnly.MinValue));
        var visits = await db.Visits.AsNoTracking().Where(v => v.PlannedAtUtc >= from && v.PlannedAtUtc < to).ToListAsync(ct);
        var looks = await db.Looks.AsNoTracking().Where(l => l.StartedAtUtc >= from && l.StartedAtUtc < to).ToListAsync(ct);
        var decisions = await db.Decisions.AsNoTracking().ToListAsync(ct);
        var plannedDays = await db.PlannedDays.AsNoTracking().Where(p => p.Day >= first && p.Day < next).ToDictionaryAsync(p => p.Day, p => p.PlannedAtUtc, ct);

        // Visits the schedules give where no rows were written: whole unplanned days, and the part of a day before it was planned.
        var projected = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var day = first; day < next; day = day.AddDays(1))
        {
            var plannedFrom = plannedDays.TryGetValue(day, out var at) ? at : (DateTime?)null;
            foreach (var d in decisions.Where(d => d.InForceOn(day)))
            {
                var margin = TimeSpan.FromMinutes(d.WindowMinutes);
                var count = VisitSchedule.Parse(d.Schedule).VisitsOn(day).Count(p => plannedFrom is null || p + margin <= plannedFrom);
                projected[d.CareUnit] = projected.GetValueOrDefault(d.CareUnit) + count;
            }
        }

        var unitOfDecision = decisions.ToDictionary(d => d.Id, d => d.CareUnit);
        var names = visits.Select(v => v.CareUnit).Concat(projected.Keys).Distinct().Where(u => units is null || units.Contains(u)).Order(StringComparer.Ordinal).ToList();
        var rows = names.Select(unit => Row(unit, first, visits.Where(v => v.CareUnit == unit).ToList(),
            looks.Where(l => unitOfDecision.GetValueOrDefault(l.DecisionId) == unit).ToList(), projected.GetValueOrDefault(unit))).ToList();
        rows.Add(Row("all", first, [.. visits.Where(v => names.Contains(v.CareUnit))],
            [.. looks.Where(l => names.Contains(unitOfDecision.GetValueOrDefault(l.DecisionId) ?? ""))], names.Sum(projected.GetValueOrDefault)));
        return rows;
    }

    private static CareUnitMonth Row(string unit, DateOnly first, List<CareVisit> visits, List<CareLook> looks, int projected)
    {
        var done = visits.Where(v => v.State == VisitState.Done).ToList();
        return new CareUnitMonth(
            unit, first.ToString("yyyy-MM", CultureInfo.InvariantCulture), visits.Count + projected, visits.Count, projected,
            done.Count, visits.Count(v => v.State == VisitState.Missed), visits.Count(v => v.State == VisitState.Cancelled),
            visits.Count(v => v.State == VisitState.Planned),
            done.Count == 0 ? 0 : Math.Round(done.Average(v => v.LookSeconds ?? 0), 1),
            looks.Count(l => l.Emergency), visits.Sum(v => Math.Max(0, v.Looks - 1)));
    }
}
