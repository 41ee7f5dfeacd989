using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Care;

/// <summary>Starting a look: a reason for a second look in the same window, always for an emergency look.</summary>
public sealed record CareLookRequest(string? Reason);

/// <summary>A started look: open the stream with <see cref="LiveUrl"/> (POST); it ends at <see cref="EndsAt"/>.</summary>
public sealed record CareLookResponse(Guid LookId, Guid? VisitId, string CameraId, DateTime StartedAt, DateTime EndsAt, int LongestLookSeconds, bool Emergency, string LiveUrl);

/// <summary>What the operator saw: ok, needsAttention (with a note) or noPicture.</summary>
public sealed record CareOutcomeInput(VisitOutcome? Outcome, string? Note);

/// <summary>POST /api/care/visits/{id}/look, /api/care/decisions/{id}/emergency-look, /api/care/visits/{id}/outcome.</summary>
public static class CareLookEndpoints
{
    public static void MapCareLookEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/visits/{id:guid}/look", StartLookAsync).Produces<CareLookResponse>(StatusCodes.Status201Created)
            .WithSummary("Starts a visit's look inside its window, for the decision's longest look; a second look needs a reason.");
        group.MapPost("/decisions/{id:guid}/emergency-look", EmergencyLookAsync).Produces<CareLookResponse>(StatusCodes.Status201Created)
            .WithSummary("An unscheduled look (the resident raised an alarm): reason required, flagged for follow-up.");
        group.MapPost("/visits/{id:guid}/outcome", OutcomeAsync).WithSummary("Records what the look found; ends the look if still open.");
    }

    private static async Task<IResult> StartLookAsync(
        Guid id, CareLookRequest? body, HttpContext http, IDbContextFactory<CareDbContext> contexts, AccessPolicy policy, AccessGate gate,
        IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var visit = await db.Visits.FirstOrDefaultAsync(v => v.Id == id, ct);
        var decision = visit is null ? null : await db.Decisions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == visit.DecisionId, ct);
        if (visit is null || decision is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"no visit {id}");
        }

        var allowed = await policy.DecideCareLookAsync(http.User, visit.CameraId, CareLookIntent.StartLook, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var refusal = !allowed.Allowed ? allowed
            : visit.State == VisitState.Cancelled ? AccessDecision.Conflict($"the visit planned {VisitSchedule.LocalText(visit.PlannedAtUtc)} was cancelled (decision {decision.State.ToString().ToLowerInvariant()})")
            : now < visit.WindowStartUtc || now >= visit.WindowEndUtc || visit.State != VisitState.Planned
                ? AccessDecision.Conflict($"the window of the visit planned {VisitSchedule.LocalText(visit.PlannedAtUtc)} is {VisitSchedule.LocalText(visit.WindowStartUtc)}–{VisitSchedule.LocalText(visit.WindowEndUtc)[11..]} (Europe/Stockholm); it is not open now")
            : null;
        if (refusal is not null)
        {
            return await gate.RefuseAsync(http, refusal, CameraRight.Live, visit.CameraId, null, ct);
        }

        var reason = body?.Reason?.Trim();
        if (FieldLimits.Problems(("reason", reason, FieldLimits.Purpose)) is { } tooLong)
        {
            return Results.ValidationProblem(tooLong);
        }

        if (visit.Looks > 0 && string.IsNullOrEmpty(reason))
        {
            return Results.Problem(statusCode: 400, title: "A reason is needed",
                detail: $"this visit was already looked at {visit.Looks} time(s) in this window; a second look needs a reason (it is audited)");
        }

        if (await OpenLookAsync(db, visit.CameraId, now, ct) is { } open)
        {
            return Results.Problem(statusCode: 409, title: "A look is open", detail: $"{open.UserName} is looking at this home until {VisitSchedule.LocalText(open.EndsAtUtc)}");
        }

        var look = NewLook(decision, visit.Id, CareStaff.Name(http.User), now, reason, emergency: false);
        db.Looks.Add(look);
        visit.Looks++;
        visit.LookStartedAtUtc ??= now;
        visit.DoneBy = look.UserName;
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.CareLookStarted, AuditOutcome.Allowed, look.UserName, visit.CameraId, "care",
            AccessGate.RemoteAddress(http),
            $"look {visit.Looks} of the visit planned {VisitSchedule.LocalText(visit.PlannedAtUtc)}, decision {decision.DecisionReference}, until {VisitSchedule.LocalText(look.EndsAtUtc)}"
            + (reason is null ? "" : $"; reason: {reason}"),
            "CareVisit", visit.Id.ToString()), ct);
        return Results.Created($"/api/cameras/{visit.CameraId}/live", Response(look, decision));
    }

    private static async Task<IResult> EmergencyLookAsync(
        Guid id, CareLookRequest? body, HttpContext http, IDbContextFactory<CareDbContext> contexts, AccessPolicy policy, AccessGate gate,
        IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var decision = await db.Decisions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (decision is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"no supervision decision {id}");
        }

        var reason = body?.Reason?.Trim();
        if (FieldLimits.Problems(("reason", reason, FieldLimits.Purpose)) is { } tooLong)
        {
            return Results.ValidationProblem(tooLong);
        }

        if (string.IsNullOrEmpty(reason))
        {
            return Results.Problem(statusCode: 400, title: "A reason is needed", detail: "an emergency look needs a reason (e.g. 'the resident pressed the alarm'); it is flagged for follow-up");
        }

        var allowed = await policy.DecideCareLookAsync(http.User, decision.CameraId, CareLookIntent.EmergencyLook, ct);
        if (!allowed.Allowed)
        {
            return await gate.RefuseAsync(http, allowed, CameraRight.Live, decision.CameraId, null, ct);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (await OpenLookAsync(db, decision.CameraId, now, ct) is { } open)
        {
            return Results.Problem(statusCode: 409, title: "A look is open", detail: $"{open.UserName} is looking at this home until {VisitSchedule.LocalText(open.EndsAtUtc)}");
        }

        var look = NewLook(decision, null, CareStaff.Name(http.User), now, reason, emergency: true);
        db.Looks.Add(look);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.CareEmergencyLook, AuditOutcome.Allowed, look.UserName, decision.CameraId, "care",
            AccessGate.RemoteAddress(http), $"emergency look outside the schedule, decision {decision.DecisionReference}, until {VisitSchedule.LocalText(look.EndsAtUtc)}; reason: {reason}; follow-up required",
            "CareLook", look.Id.ToString()), ct);
        return Results.Created($"/api/cameras/{decision.CameraId}/live", Response(look, decision));
    }

    private static async Task<IResult> OutcomeAsync(
        Guid id, CareOutcomeInput input, HttpContext http, IDbContextFactory<CareDbContext> contexts, AccessChangeFeed access, IAuditLog audit,
        TimeProvider time, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var visit = await db.Visits.FirstOrDefaultAsync(v => v.Id == id, ct);
        if (visit is null || !(await CareStaff.UnitsAsync(db, http.User, ct)).Contains(visit.CareUnit))
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"no visit {id} in your care units");
        }

        if (FieldLimits.Problems(("note", input.Note, FieldLimits.Purpose)) is { } tooLong)
        {
            return Results.ValidationProblem(tooLong);
        }

        if (input.Outcome is null || (input.Outcome == VisitOutcome.NeedsAttention && string.IsNullOrWhiteSpace(input.Note)))
        {
            return Results.Problem(statusCode: 400, title: "Bad outcome",
                detail: input.Outcome is null ? "outcome must be ok, needsAttention or noPicture" : "'needs attention' needs a note saying what to follow up");
        }

        if (visit.Looks == 0 || visit.State is VisitState.Missed or VisitState.Cancelled)
        {
            return Results.Problem(statusCode: 409, title: "Nothing to record",
                detail: visit.Looks == 0 ? "no look was started for this visit; a visit without a look becomes missed when its window closes" : $"the visit is {visit.State}");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var looks = await db.Looks.Where(l => l.VisitId == visit.Id).ToListAsync(ct);
        var ended = looks.Where(l => l.IsOpenAt(now)).ToList();
        ended.ForEach(l => l.EndedAtUtc = now);
        visit.State = VisitState.Done;
        visit.Outcome = input.Outcome;
        visit.Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        visit.OutcomeAtUtc = now;
        visit.LookSeconds = looks.Sum(l => l.SecondsAt(now));
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.CareVisitRecorded, AuditOutcome.Allowed, CareStaff.Name(http.User), visit.CameraId, "care",
            AccessGate.RemoteAddress(http), $"visit planned {VisitSchedule.LocalText(visit.PlannedAtUtc)}: {input.Outcome}, looked {visit.LookSeconds} s",
            "CareVisit", visit.Id.ToString()), ct);
        if (ended.Count > 0)
        {
            // The look is over: the broker re-checks and ends the stream.
            await access.PublishAsync(new AccessChanged(CareStaff.Name(http.User), null, "care visit recorded"));
        }

        return Results.Ok(new { visit.Id, visit.State, visit.Outcome, visit.Note, visit.LookSeconds });
    }

    private static Task<CareLook?> OpenLookAsync(CareDbContext db, string cameraId, DateTime now, CancellationToken ct) =>
        db.Looks.AsNoTracking().Where(l => l.CameraId == cameraId && l.EndedAtUtc == null && l.EndsAtUtc > now).FirstOrDefaultAsync(ct);

    private static CareLook NewLook(CareDecision decision, Guid? visitId, string user, DateTime now, string? reason, bool emergency) => new()
    {
        Id = Guid.NewGuid(), DecisionId = decision.Id, VisitId = visitId, CameraId = decision.CameraId, UserName = user, StartedAtUtc = now,
        EndsAtUtc = now.AddSeconds(decision.LongestLookSeconds), Reason = reason, Emergency = emergency, FollowUp = emergency,
    };

    private static CareLookResponse Response(CareLook look, CareDecision decision) =>
        new(look.Id, look.VisitId, look.CameraId, look.StartedAtUtc, look.EndsAtUtc, decision.LongestLookSeconds, look.Emergency, $"/api/cameras/{look.CameraId}/live");
}
