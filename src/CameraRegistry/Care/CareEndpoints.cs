using System.Security.Claims;
using System.Text;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Import;
using CameraHub.CameraRegistry.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Care;

/// <summary>A decision as the API shows it; the resident's name only to care staff of the unit.</summary>
public sealed record CareDecisionView(
    Guid Id, string CameraId, string ResidentId, string? ResidentName, string DecisionReference, DateOnly DecisionDate,
    DateOnly ValidFrom, DateOnly? ValidTo, string ConsentBy, DateTime ConsentAt, string Schedule, int WindowMinutes,
    int LongestLookSeconds, string CareUnit, DecisionState State, string? StateReason, int Version, DateTime UpdatedAt, string UpdatedBy);

/// <summary>A planned visit as the tonight page shows it.</summary>
public sealed record CareVisitView(
    Guid Id, Guid DecisionId, string CameraId, string? ResidentId, string? ResidentName, string CareUnit, DateTime PlannedAt,
    DateTime WindowStart, DateTime WindowEnd, VisitState State, int Looks, string? DoneBy, DateTime? LookStartedAt,
    DateTime? LookEndsAt, int? LookSeconds, VisitOutcome? Outcome, string? Note, int LongestLookSeconds);

/// <summary>A state change's body: why (required to pause or withdraw).</summary>
public sealed record CareStateChange(string? Reason);

/// <summary>Adding a user to a care unit's staff.</summary>
public sealed record CareStaffInput(string? UserName, string? CareUnit);

/// <summary>Routes under /api/care: decisions (register, import, pause, resume, withdraw, history), visits, staff.</summary>
public static class CareEndpoints
{
    public static RouteGroupBuilder MapCareEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/care").WithTags("Care").WithBodyLimit(BodyLimit.Form);
        group.MapGet("/decisions", ListDecisionsAsync).WithSummary("Supervision decisions the caller has business with (names to care staff only).");
        group.MapPost("/decisions", CreateAsync).WithSummary("Registers a supervision decision for a CareHome camera (Manage right on the camera).");
        group.MapPost("/decisions/import", ImportAsync).WithBodyLimit(BodyLimit.Import).Accepts<string>("text/csv")
            .WithSummary("Imports a decision CSV (text/csv, UTF-8): every row or none; each bad row named by line and field.");
        group.MapPost("/decisions/{id:guid}/pause", (Guid id, CareStateChange body, HttpContext http, CareDecisions decisions, IDbContextFactory<CareDbContext> contexts, AccessPolicy policy, CancellationToken ct) =>
            ChangeStateAsync(id, DecisionState.Paused, body.Reason, http, decisions, contexts, policy, ct)).WithSummary("Pauses a decision: visits cancelled, open looks end at once.");
        group.MapPost("/decisions/{id:guid}/resume", (Guid id, HttpContext http, CareDecisions decisions, IDbContextFactory<CareDbContext> contexts, AccessPolicy policy, CancellationToken ct) =>
            ChangeStateAsync(id, DecisionState.Active, null, http, decisions, contexts, policy, ct)).WithSummary("Resumes a paused decision.");
        group.MapPost("/decisions/{id:guid}/withdraw", (Guid id, CareStateChange body, HttpContext http, CareDecisions decisions, IDbContextFactory<CareDbContext> contexts, AccessPolicy policy, CancellationToken ct) =>
            ChangeStateAsync(id, DecisionState.Withdrawn, body.Reason, http, decisions, contexts, policy, ct)).WithSummary("Withdraws a decision for good; open looks end at once.");
        group.MapGet("/decisions/{id:guid}/history", HistoryAsync).WithSummary("Every version of a decision.");
        group.MapGet("/visits", VisitsAsync).WithSummary("The visits of a care night (date: 12:00 that day to 12:00 the next, Europe/Stockholm), in order.");
        group.MapGet("/staff", async (HttpContext http, IDbContextFactory<CareDbContext> contexts, CancellationToken ct) =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            return http.User.IsInRole(HubRoles.Administrator)
                ? Results.Ok(await db.Staff.AsNoTracking().OrderBy(s => s.CareUnit).ThenBy(s => s.UserName).ToListAsync(ct))
                : Results.Ok(await db.Staff.AsNoTracking().Where(s => s.UserName == CareStaff.Name(http.User)).ToListAsync(ct));
        }).WithSummary("Care unit membership (administrators see all, others their own).");
        group.MapPost("/staff", AddStaffAsync).RequireAuthorization(p => p.RequireRole(HubRoles.Administrator))
            .WithSummary("Adds a user to a care unit's staff (administrators).");
        group.MapCareLookEndpoints();
        group.MapCareReport();
        return group;
    }

    private static async Task<IResult> ListDecisionsAsync(HttpContext http, IDbContextFactory<CareDbContext> contexts, string? unit, string? camera, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var units = await CareStaff.UnitsAsync(db, http.User, ct);
        var query = db.Decisions.AsNoTracking();
        if (!CareStaff.SeesAllUnits(http.User))
        {
            query = query.Where(d => units.Contains(d.CareUnit));
        }

        query = unit is null ? query : query.Where(d => d.CareUnit == unit);
        query = camera is null ? query : query.Where(d => d.CameraId == camera);
        var decisions = await query.OrderBy(d => d.CameraId).ToListAsync(ct);
        return Results.Ok(decisions.Select(d => View(d, units.Contains(d.CareUnit))));
    }

    private static async Task<IResult> CreateAsync(CareDecisionInput input, HttpContext http, CareDecisions decisions, AccessPolicy policy, CancellationToken ct)
    {
        if (input.CameraId is { Length: > 0 } cameraId && await policy.DecideAsync(http.User, CameraRight.Manage, cameraId, ct) is { Allowed: false } refusal)
        {
            return Results.Problem(statusCode: refusal.StatusCode, title: "Not allowed", detail: $"registering a decision needs the Manage right: {refusal.Reason}");
        }

        var (decision, errors) = await decisions.CreateAsync(input, CareStaff.Name(http.User), ct);
        return decision is null
            ? Results.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), title: "The decision was not registered")
            : Results.Created($"/api/care/decisions/{decision.Id}", View(decision, showName: true));
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, CareDecisions decisions, AccessPolicy policy, CancellationToken ct)
    {
        var http = request.HttpContext;
        using var body = new StreamReader(request.Body, Encoding.UTF8);
        using var reader = new StringReader(await body.ReadToEndAsync(ct));
        var result = await decisions.ImportAsync(reader, CareStaff.Name(http.User), async (camera, token) =>
            await policy.DecideAsync(http.User, CameraRight.Manage, camera, token) is { Allowed: false } d ? $"you may not register decisions for '{camera}': {d.Reason}" : null, ct);
        return result.Succeeded ? Results.Ok(new ImportSummary(result.Imported)) : Results.Problem(ImportEndpoints.ToProblem(result));
    }

    private static async Task<IResult> ChangeStateAsync(
        Guid id, DecisionState state, string? reason, HttpContext http, CareDecisions decisions, IDbContextFactory<CareDbContext> contexts, AccessPolicy policy, CancellationToken ct)
    {
        if (FieldLimits.Problems(("reason", reason, FieldLimits.Purpose)) is { } tooLong)
        {
            return Results.ValidationProblem(tooLong);
        }

        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var found = await db.Decisions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
            // Care staff of the unit record a stay in hospital; whoever manages the camera may change any decision.
            if (found is null || (!(await CareStaff.UnitsAsync(db, http.User, ct)).Contains(found.CareUnit)
                && !(await policy.DecideAsync(http.User, CameraRight.Manage, found.CameraId, ct)).Allowed))
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"no supervision decision {id} of yours");
            }
        }

        var (decision, problem) = await decisions.ChangeStateAsync(id, state, reason, CareStaff.Name(http.User), ct);
        return problem is not null
            ? Results.Problem(statusCode: problem.StartsWith("a reason", StringComparison.Ordinal) ? 400 : 409, title: "The decision was not changed", detail: problem)
            : Results.Ok(View(decision!, showName: false));
    }

    private static async Task<IResult> HistoryAsync(Guid id, HttpContext http, IDbContextFactory<CareDbContext> contexts, AccessPolicy policy, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var decision = await db.Decisions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (decision is null || (!CareStaff.SeesAllUnits(http.User) && !(await CareStaff.UnitsAsync(db, http.User, ct)).Contains(decision.CareUnit)))
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"no supervision decision {id} of yours");
        }

        return Results.Ok(await db.DecisionHistory.AsNoTracking().Where(h => h.DecisionId == id).OrderBy(h => h.Version).ToListAsync(ct));
    }

    private static async Task<IResult> VisitsAsync(HttpContext http, IDbContextFactory<CareDbContext> contexts, TimeProvider time, string? date, string? unit, CancellationToken ct)
    {
        DateOnly night;
        if (date is null)
        {
            night = CareVisitPlanner.NightOf(time.GetUtcNow().UtcDateTime);
        }
        else if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", out night))
        {
            return Results.Problem(statusCode: 400, title: "Bad date", detail: $"date '{date}' is not a date like 2026-11-24");
        }

        var (from, to) = CareVisitPlanner.Night(night);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var units = await CareStaff.UnitsAsync(db, http.User, ct);
        if (!CareStaff.SeesAllUnits(http.User) && units.Count == 0)
        {
            return Results.Problem(statusCode: 403, title: "Not allowed", detail: "the visits are shown to care staff of a unit, administrators and the data-protection officer");
        }

        var query = db.Visits.AsNoTracking().Where(v => v.PlannedAtUtc >= from && v.PlannedAtUtc < to);
        query = CareStaff.SeesAllUnits(http.User) ? query : query.Where(v => units.Contains(v.CareUnit));
        query = unit is null ? query : query.Where(v => v.CareUnit == unit);
        var visits = await query.OrderBy(v => v.PlannedAtUtc).ToListAsync(ct);
        var decisionIds = visits.Select(v => v.DecisionId).Distinct().ToList();
        var decisions = await db.Decisions.AsNoTracking().Where(d => decisionIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
        var visitIds = visits.Select(v => (Guid?)v.Id).ToList();
        var lastLooks = (await db.Looks.AsNoTracking().Where(l => visitIds.Contains(l.VisitId)).ToListAsync(ct))
            .GroupBy(l => l.VisitId!.Value).ToDictionary(g => g.Key, g => g.Max(l => l.EndedAtUtc ?? l.EndsAtUtc));
        return Results.Ok(new
        {
            night = night.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), from, to,
            visits = visits.Select(v =>
            {
                var d = decisions[v.DecisionId];
                var staff = units.Contains(v.CareUnit);
                return new CareVisitView(v.Id, v.DecisionId, v.CameraId, d.ResidentId, staff ? d.ResidentName : null, v.CareUnit, v.PlannedAtUtc,
                    v.WindowStartUtc, v.WindowEndUtc, v.State, v.Looks, v.DoneBy, v.LookStartedAtUtc, lastLooks.TryGetValue(v.Id, out var end) ? end : null,
                    v.LookSeconds, v.Outcome, v.Note, d.LongestLookSeconds);
            }),
        });
    }

    private static async Task<IResult> AddStaffAsync(CareStaffInput input, HttpContext http, IDbContextFactory<CareDbContext> contexts, IAuditLog audit, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.UserName) || string.IsNullOrWhiteSpace(input.CareUnit))
        {
            return Results.Problem(statusCode: 400, title: "Bad staff entry", detail: "userName and careUnit are required");
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Staff.AnyAsync(s => s.UserName == input.UserName && s.CareUnit == input.CareUnit, ct))
        {
            db.Staff.Add(new CareStaffMember { UserName = input.UserName.Trim(), CareUnit = input.CareUnit.Trim() });
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(new AuditEvent(AuditAction.CareStaffChanged, AuditOutcome.Allowed, CareStaff.Name(http.User), Purpose: "care",
                RemoteAddress: AccessGate.RemoteAddress(http), Details: $"{input.UserName} added to care unit {input.CareUnit}", SubjectType: "CareUnit", SubjectId: input.CareUnit), ct);
        }

        return Results.Ok(input);
    }

    internal static CareDecisionView View(CareDecision d, bool showName) => new(
        d.Id, d.CameraId, d.ResidentId, showName ? d.ResidentName : null, d.DecisionReference, d.DecisionDate, d.ValidFrom, d.ValidTo,
        d.ConsentBy, d.ConsentAtUtc, d.Schedule, d.WindowMinutes, d.LongestLookSeconds, d.CareUnit, d.State, d.StateReason, d.Version,
        d.UpdatedAtUtc, d.UpdatedBy);
}

/// <summary>Who is care staff of which unit; administrators and the DPO see every unit (without residents' names).</summary>
public static class CareStaff
{
    public static string Name(ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";

    public static bool SeesAllUnits(ClaimsPrincipal user) =>
        user.IsInRole(HubRoles.Administrator) || user.IsInRole(HubRoles.DataProtectionOfficer);

    /// <summary>The units a CareOperator works in (none for other roles).</summary>
    public static async Task<HashSet<string>> UnitsAsync(CareDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!user.IsInRole(HubRoles.CareOperator))
        {
            return [];
        }

        var name = Name(user);
        return [.. await db.Staff.AsNoTracking().Where(s => s.UserName == name).Select(s => s.CareUnit).ToListAsync(ct)];
    }
}
