using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Limits;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Cameras;

/// <summary>A page of cameras.</summary>
public sealed record CameraPage(int Total, int Page, int PageSize, IReadOnlyList<CameraView> Items);

/// <summary>Routes under /api/cameras for the registry.</summary>
public static class CameraEndpoints
{
    /// <summary>Maps list, create, read, replace, decommission and history.</summary>
    public static RouteGroupBuilder MapCameraEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/cameras").WithTags("Cameras").WithBodyLimit(BodyLimit.Camera);
        group.MapGet("/", ListAsync).WithName("ListCameras")
            .WithSummary("Cameras, filtered by owner, category, mode, status, text, permit expiry and a right the caller may use on them now (right=Live…); paged.");
        group.MapPost("/", CreateAsync).WithName("CreateCamera");
        group.MapGet("/{id}", GetAsync).WithName("GetCamera");
        group.MapPut("/{id}", UpdateAsync).WithName("UpdateCamera");
        group.MapDelete("/{id}", DecommissionAsync).WithName("DecommissionCamera")
            .WithSummary("Decommissions the camera; it and its history stay for the legal register.");
        group.MapGet("/{id}/history", HistoryAsync).WithName("CameraHistory");
        return group;
    }

    internal static async Task<Ok<CameraPage>> ListAsync(
        RegistryDbContext db, AccessPolicy policy, HttpContext http, TimeProvider time, string? owner, CameraCategory? category, CameraMode? mode,
        CameraStatus? status, string? q, int? permitExpiringWithinDays, CameraRight? right, int page = 1, int pageSize = 100,
        CancellationToken ct = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 1000);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var visible = await policy.VisibleAsync(http.User, db.Cameras.AsNoTracking(), ct);
        var query = CameraQuery.Filter(visible, owner, category, mode, status, q, permitExpiringWithinDays, today).OrderBy(c => c.Id);
        if (right is not { } asked)
        {
            var total = await query.CountAsync(ct);
            var items = await query.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
            return TypedResults.Ok(new CameraPage(total, page, pageSize, [.. items.Select(c => CameraView.From(c, today))]));
        }

        // "Which cameras may I use for this right now" (a picker's list): the policy's own decision for every visible
        // camera, in one pass, rather than a question per camera from the client.
        var candidates = await query.ToListAsync(ct);
        var decisions = await policy.DecideManyAsync(http.User, [asked], candidates.Select(c => CameraAccessFacts.Of(c, today)), ct);
        var usable = candidates.Where(c => decisions[c.Id][asked].Allowed).ToList();
        return TypedResults.Ok(new CameraPage(
            usable.Count, page, pageSize, [.. usable.Skip((page - 1) * pageSize).Take(pageSize).Select(c => CameraView.From(c, today))]));
    }

    internal static async Task<IResult> CreateAsync(
        CameraInput input, CameraCatalogue catalogue, HttpContext http, AccessPolicy policy, AccessGate gate, IAuditLog audit, CancellationToken ct)
    {
        if (input.OwnerId is not null && await RefuseManageAsync(http, policy, gate, input.OwnerId, null, ct) is { } refusal)
        {
            return refusal;
        }

        var result = await catalogue.CreateAsync(input, Actor(http), ct);
        if (result.Conflict)
        {
            return TypedResults.Conflict(new HttpValidationProblemDetails(ToArrays(result.Errors)) { Title = "The camera already exists." });
        }

        if (!result.Succeeded)
        {
            return Invalid(result.Errors);
        }

        await audit.AppendAsync(new AuditEvent(AuditAction.CameraCreated, AuditOutcome.Allowed, Actor(http), result.Camera!.Id, RemoteAddress: AccessGate.RemoteAddress(http)), ct);
        return TypedResults.Created($"/api/cameras/{result.Camera!.Id}", CameraView.From(result.Camera, catalogue.Today()));
    }

    /// <summary>Null when the user may manage the owner's cameras; else the audited refusal.</summary>
    internal static async Task<IResult?> RefuseManageAsync(HttpContext http, AccessPolicy policy, AccessGate gate, string ownerId, string? cameraId, CancellationToken ct)
    {
        var decision = await policy.DecideForOwnerAsync(http.User, CameraRight.Manage, ownerId, null, ct);
        return decision.Allowed ? null : await gate.RefuseAsync(http, decision, CameraRight.Manage, cameraId, ownerId, ct);
    }

    internal static async Task<Results<Ok<CameraView>, NotFound>> GetAsync(string id, RegistryDbContext db, AccessPolicy policy, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var visible = await policy.VisibleAsync(http.User, db.Cameras.AsNoTracking(), ct);
        var camera = await visible.FirstOrDefaultAsync(c => c.Id == id, ct);
        return camera is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(CameraView.From(camera, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)));
    }

    internal static async Task<IResult> UpdateAsync(
        string id, CameraInput input, CameraCatalogue catalogue, RegistryDbContext db, HttpContext http, AccessPolicy policy, AccessGate gate,
        IAuditLog audit, AccessChangeFeed feed, CancellationToken ct)
    {
        var currentOwner = await db.Cameras.Where(c => c.Id == id).Select(c => c.OwnerId).FirstOrDefaultAsync(ct);
        if (currentOwner is null)
        {
            return TypedResults.NotFound();
        }

        foreach (var owner in new[] { currentOwner, input.OwnerId }.OfType<string>().Distinct())
        {
            if (await RefuseManageAsync(http, policy, gate, owner, id, ct) is { } refusal)
            {
                return refusal;
            }
        }

        var result = await catalogue.UpdateAsync(id, input, Actor(http), ct);
        if (!result.Succeeded)
        {
            return result.NotFound ? TypedResults.NotFound() : Invalid(result.Errors);
        }

        await audit.AppendAsync(new AuditEvent(
            result.Camera!.Status == CameraStatus.Decommissioned ? AuditAction.CameraDecommissioned : AuditAction.CameraUpdated,
            AuditOutcome.Allowed, Actor(http), id, RemoteAddress: AccessGate.RemoteAddress(http)), ct);
        // Mode, hours, legal basis, masking or sharing partners may have changed: open streams are decided again now.
        await feed.PublishAsync(new AccessChanged(null, null, $"camera {id} changed by {Actor(http)}"));
        return TypedResults.Ok(CameraView.From(result.Camera!, catalogue.Today()));
    }

    internal static async Task<IResult> DecommissionAsync(
        string id, CameraCatalogue catalogue, RegistryDbContext db, HttpContext http, AccessPolicy policy, AccessGate gate, IAuditLog audit,
        AccessChangeFeed feed, CancellationToken ct)
    {
        var owner = await db.Cameras.Where(c => c.Id == id).Select(c => c.OwnerId).FirstOrDefaultAsync(ct);
        if (owner is null)
        {
            return TypedResults.NotFound();
        }

        if (await RefuseManageAsync(http, policy, gate, owner, id, ct) is { } refusal)
        {
            return refusal;
        }

        var result = await catalogue.DecommissionAsync(id, Actor(http), ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.CameraDecommissioned, AuditOutcome.Allowed, Actor(http), id, RemoteAddress: AccessGate.RemoteAddress(http)), ct);
        await feed.PublishAsync(new AccessChanged(null, null, $"camera {id} decommissioned by {Actor(http)}"));
        return TypedResults.Ok(CameraView.From(result.Camera!, catalogue.Today()));
    }

    internal static async Task<IResult> HistoryAsync(string id, RegistryDbContext db, AccessGate gate, HttpContext http, CancellationToken ct)
    {
        if (!await db.Cameras.AnyAsync(c => c.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        if (await gate.RefuseUnlessAsync(http, CameraRight.Audit, id, ct) is { } refusal)
        {
            return refusal;
        }

        var changes = await db.CameraChanges.AsNoTracking().Where(c => c.CameraId == id).OrderBy(c => c.Id).ToListAsync(ct);
        return TypedResults.Ok(changes);
    }

    /// <summary>The signed-in user's name, for history and audit.</summary>
    public static string Actor(HttpContext http) => http.User.Identity?.Name ?? "anonymous";

    internal static ValidationProblem Invalid(Dictionary<string, List<string>> errors) =>
        TypedResults.ValidationProblem(ToArrays(errors), title: $"The camera breaks {errors.Values.Sum(v => v.Count)} rule(s); nothing was written.");

    private static Dictionary<string, string[]> ToArrays(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>The camera list's filters, shared by the API and reports.</summary>
public static class CameraQuery
{
    public static IQueryable<Camera> Filter(
        IQueryable<Camera> query, string? owner, CameraCategory? category, CameraMode? mode, CameraStatus? status,
        string? text, int? permitExpiringWithinDays, DateOnly today)
    {
        if (!string.IsNullOrEmpty(owner))
        {
            query = query.Where(c => c.OwnerId == owner);
        }

        if (category is { } cat)
        {
            query = query.Where(c => c.Category == cat);
        }

        if (mode is { } m)
        {
            query = query.Where(c => c.Mode == m);
        }

        if (status is { } s)
        {
            query = query.Where(c => c.Status == s);
        }

        if (!string.IsNullOrWhiteSpace(text))
        {
            var pattern = $"%{text.Trim()}%";
            query = query.Where(c => EF.Functions.Like(c.Name, pattern) || EF.Functions.Like(c.Id, pattern));
        }

        if (permitExpiringWithinDays is { } days)
        {
            var limit = today.AddDays(days);
            query = query.Where(c => c.LegalBasis.Kind == LegalBasisKind.Permit && c.LegalBasis.PermitValidUntil <= limit);
        }

        return query;
    }
}
