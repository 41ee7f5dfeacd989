using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Limits;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.CameraRegistry.MaskLifts;

/// <summary>The body of POST /api/cameras/{id}/mask-lifts: why, and what to see (live and/or a window of recordings), for how long.</summary>
public sealed record MaskLiftInput(string? Reason, bool Live, DateTimeOffset? PlaybackFrom, DateTimeOffset? PlaybackTo, int? Minutes);

/// <summary>A lift as the API shows it; <see cref="State"/> is Requested, Approved, Expired, Lapsed (never approved in time) or Ended.</summary>
public sealed record MaskLiftView(
    Guid Id, string CameraId, string RequestedBy, string Reason, bool Live, DateTime? PlaybackFrom, DateTime? PlaybackTo, int DurationMinutes,
    DateTime RequestedAt, string State, string? ApprovedBy, DateTime? ApprovedAt, DateTime? ExpiresAt, DateTime? EndedAt, string? EndedBy, string? EndReason);

/// <summary>
/// Lifting a liftable mask with four eyes (DESIGN.md 4.6, §9): a user holding Unmask asks with a reason; a second person
/// who may approve (Unmask or ApproveExport on the camera, never the requester) approves; the lift then unmasks that
/// user's live view and/or recordings window of that camera until it expires or is ended. A permanent profile is never lifted.
/// </summary>
public static class MaskLiftEndpoints
{
    private const int MaxReasonLength = 500;

    public static IReadOnlyList<RouteHandlerBuilder> MapMaskLiftEndpoints(this IEndpointRouteBuilder routes) =>
    [
        routes.MapPost("/api/cameras/{id}/mask-lifts", RequestAsync).WithTags("Mask lifts").WithBodyLimit(BodyLimit.Form)
            .WithSummary("Asks to lift a camera's liftable mask (Unmask right, a reason, live and/or a recordings window); a second person approves."),
        routes.MapGet("/api/mask-lifts", ListAsync).WithTags("Mask lifts")
            .WithSummary("Lifts: all for administrators and the DPO; otherwise one's own and those one may approve."),
        routes.MapPost("/api/mask-lifts/{id:guid}/approve", ApproveAsync).WithTags("Mask lifts")
            .WithSummary("Approves a lift (someone other than the requester holding Unmask or ApproveExport on the camera); it lasts its minutes from now."),
        routes.MapDelete("/api/mask-lifts/{id:guid}", EndAsync).WithTags("Mask lifts")
            .WithSummary("Ends or refuses a lift; an unmasked view under it stops within seconds."),
    ];

    private static async Task<IResult> RequestAsync(
        string id, MaskLiftInput input, HttpContext http, AccessDbContext db, ICameraDirectory cameras, IAccessPolicy policy, AccessGate gate,
        IAuditLog audit, IOptions<MaskLiftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var max = options.Value.MaxDuration;
        var errors = new Dictionary<string, string[]>();
        var reason = input.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            errors["reason"] = ["a lift needs a reason (the case, what is to be seen)"];
        }
        else if (reason.Length > MaxReasonLength)
        {
            errors["reason"] = [$"at most {MaxReasonLength} characters"];
        }

        if (!input.Live && input.PlaybackFrom is null && input.PlaybackTo is null)
        {
            errors["live"] = ["ask for the live picture (live: true) and/or a window of recordings (playbackFrom, playbackTo)"];
        }

        if ((input.PlaybackFrom is null) != (input.PlaybackTo is null))
        {
            errors["playbackTo"] = ["give both playbackFrom and playbackTo, or neither"];
        }
        else if (input.PlaybackFrom is { } from && input.PlaybackTo is { } to && (to <= from || to - from > options.Value.MaxPlaybackWindow))
        {
            errors["playbackTo"] = [$"playbackTo must be after playbackFrom and the window at most {options.Value.MaxPlaybackWindow.TotalHours:0.#} h"];
        }

        var minutes = input.Minutes ?? (int)max.TotalMinutes;
        if (minutes < 1 || minutes > max.TotalMinutes)
        {
            errors["minutes"] = [$"a lift lasts 1 to {max.TotalMinutes:0} minutes"];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, detail: "The lift request is incomplete.");
        }

        // The camera's own rule first: whoever asks, a permanent mask is never lifted.
        var camera = await cameras.FindAsync(id, ct);
        var refusal = camera switch
        {
            null => AccessDecision.NotFound($"camera '{id}' is not in the registry"),
            { Masking.Kind: MaskingKind.None } => AccessDecision.Conflict($"camera '{id}' has no mask; there is nothing to lift"),
            { Masking.Liftable: false } => AccessDecision.Conflict(
                $"camera '{id}' has a permanent mask (its legal basis allows filming only the kept area): it can never be lifted, by anyone"),
            _ => await policy.DecideAsync(http.User, CameraRight.Unmask, id, ct) is { Allowed: false } denied ? denied : null,
        };
        if (refusal is not null)
        {
            return await gate.RefuseAsync(http, refusal, CameraRight.Unmask, id, null, ct);
        }

        var lift = new MaskLift
        {
            Id = Guid.NewGuid(),
            CameraId = id,
            RequestedBy = AccessGate.Actor(http),
            Reason = reason!,
            Live = input.Live,
            PlaybackFromUtc = input.PlaybackFrom?.UtcDateTime,
            PlaybackToUtc = input.PlaybackTo?.UtcDateTime,
            DurationMinutes = minutes,
            RequestedAtUtc = time.GetUtcNow().UtcDateTime,
            Status = MaskLiftStatus.Requested,
        };
        db.MaskLifts.Add(lift);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.MaskLiftRequested, AuditOutcome.Allowed, lift.RequestedBy, id, "unmask", AccessGate.RemoteAddress(http),
            $"{Scope(lift)} for {minutes} min: {lift.Reason}", "MaskLift", lift.Id.ToString()), ct);
        return Results.Created($"/api/mask-lifts/{lift.Id}", View(lift, options.Value, time));
    }

    private static async Task<IResult> ListAsync(
        HttpContext http, AccessDbContext db, IAccessPolicy policy, IOptions<MaskLiftOptions> options, TimeProvider time, string? state, CancellationToken ct)
    {
        var user = http.User;
        var name = AccessGate.Actor(http);
        var since = time.GetUtcNow().UtcDateTime.AddDays(-7);
        var lifts = await db.MaskLifts.AsNoTracking().Where(l => l.RequestedAtUtc >= since || l.Status != MaskLiftStatus.Ended)
            .OrderByDescending(l => l.RequestedAtUtc).Take(500).ToListAsync(ct);
        var everything = user.IsInRole(HubRoles.Administrator) || user.IsInRole(HubRoles.DataProtectionOfficer);
        var visible = new List<MaskLiftView>();
        foreach (var lift in lifts)
        {
            var view = View(lift, options.Value, time);
            if (state is not null && !string.Equals(view.State, state, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (everything || Same(lift.RequestedBy, name) || Same(lift.ApprovedBy, name)
                || (view.State == "Requested" && await MayApproveAsync(http, policy, lift, ct)))
            {
                visible.Add(view);
            }
        }

        return Results.Ok(visible);
    }

    private static async Task<IResult> ApproveAsync(
        Guid id, HttpContext http, AccessDbContext db, ICameraDirectory cameras, IAccessPolicy policy, AccessGate gate, IAuditLog audit,
        IOptions<MaskLiftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var lift = await db.MaskLifts.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (lift is null)
        {
            return Results.Problem(statusCode: 404, title: "Unknown lift", detail: $"no mask lift {id}");
        }

        var approver = AccessGate.Actor(http);
        var state = View(lift, options.Value, time).State;
        var camera = await cameras.FindAsync(lift.CameraId, ct);
        AccessDecision? refusal = null;
        if (Same(lift.RequestedBy, approver))
        {
            refusal = AccessDecision.Forbid("four eyes: a lift is approved by someone other than its requester");
        }
        else if (!await MayApproveAsync(http, policy, lift, ct))
        {
            refusal = AccessDecision.Forbid($"'{approver}' holds neither Unmask nor ApproveExport on camera '{lift.CameraId}'");
        }
        else if (state != "Requested")
        {
            refusal = AccessDecision.Conflict($"the lift is {state}, not waiting for approval; ask again");
        }
        else if (camera is not { Masking.Liftable: true })
        {
            refusal = AccessDecision.Conflict($"camera '{lift.CameraId}' no longer has a liftable mask");
        }

        if (refusal is not null)
        {
            return await gate.RefuseAsync(http, refusal, CameraRight.Unmask, lift.CameraId, null, ct);
        }

        var now = time.GetUtcNow().UtcDateTime;
        lift.Status = MaskLiftStatus.Approved;
        lift.ApprovedBy = approver;
        lift.ApprovedAtUtc = now;
        lift.ExpiresAtUtc = now.AddMinutes(lift.DurationMinutes);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.MaskLiftApproved, AuditOutcome.Allowed, approver, lift.CameraId, "unmask", AccessGate.RemoteAddress(http),
            $"lift for '{lift.RequestedBy}', {Scope(lift)}, in force until {lift.ExpiresAtUtc:O}: {lift.Reason}", "MaskLift", lift.Id.ToString()), ct);
        return Results.Ok(View(lift, options.Value, time));
    }

    private static async Task<IResult> EndAsync(
        Guid id, HttpContext http, AccessDbContext db, IAccessPolicy policy, AccessGate gate, IAuditLog audit, AccessChangeFeed changes,
        IOptions<MaskLiftOptions> options, TimeProvider time, string? reason, CancellationToken ct)
    {
        var lift = await db.MaskLifts.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (lift is null)
        {
            return Results.Problem(statusCode: 404, title: "Unknown lift", detail: $"no mask lift {id}");
        }

        var actor = AccessGate.Actor(http);
        var user = http.User;
        if (!Same(lift.RequestedBy, actor) && !Same(lift.ApprovedBy, actor) && !user.IsInRole(HubRoles.Administrator)
            && !user.IsInRole(HubRoles.DataProtectionOfficer) && !await MayApproveAsync(http, policy, lift, ct))
        {
            return await gate.RefuseAsync(http, AccessDecision.Forbid($"'{actor}' may not end mask lift {id}"), CameraRight.Unmask, lift.CameraId, null, ct);
        }

        if (lift.Status != MaskLiftStatus.Ended)
        {
            var was = View(lift, options.Value, time).State;
            lift.Status = MaskLiftStatus.Ended;
            lift.EndedAtUtc = time.GetUtcNow().UtcDateTime;
            lift.EndedBy = actor;
            lift.EndReason = string.IsNullOrWhiteSpace(reason) ? (was == "Requested" ? "refused" : "ended") : reason.Trim()[..Math.Min(reason.Trim().Length, MaxReasonLength)];
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(new AuditEvent(AuditAction.MaskLiftEnded, AuditOutcome.Allowed, actor, lift.CameraId, "unmask", AccessGate.RemoteAddress(http),
                $"lift for '{lift.RequestedBy}' ({was}) ended: {lift.EndReason}", "MaskLift", lift.Id.ToString()), ct);
            // Open unmasked views under it are re-decided now and stop.
            await changes.PublishAsync(new AccessChanged(lift.RequestedBy, null, $"mask lift {lift.Id} ended"));
        }

        return Results.Ok(View(lift, options.Value, time));
    }

    /// <summary>Unmask or ApproveExport on the lift's camera (the owner approves as for evidence).</summary>
    private static async Task<bool> MayApproveAsync(HttpContext http, IAccessPolicy policy, MaskLift lift, CancellationToken ct) =>
        (await policy.DecideAsync(http.User, CameraRight.Unmask, lift.CameraId, ct)).Allowed
        || (await policy.DecideAsync(http.User, CameraRight.ApproveExport, lift.CameraId, ct)).Allowed;

    private static bool Same(string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Scope(MaskLift lift) =>
        string.Join(" and ", new[] { lift.Live ? "live" : null, lift.PlaybackFromUtc is { } f ? $"recordings {f:O}..{lift.PlaybackToUtc:O}" : null }.OfType<string>());

    internal static MaskLiftView View(MaskLift l, MaskLiftOptions options, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var state = l.Status switch
        {
            MaskLiftStatus.Ended => "Ended",
            MaskLiftStatus.Approved => l.InForceAt(now) ? "Approved" : "Expired",
            _ => now - l.RequestedAtUtc > options.ApprovalWindow ? "Lapsed" : "Requested",
        };
        return new MaskLiftView(l.Id, l.CameraId, l.RequestedBy, l.Reason, l.Live, l.PlaybackFromUtc, l.PlaybackToUtc, l.DurationMinutes, l.RequestedAtUtc,
            state, l.ApprovedBy, l.ApprovedAtUtc, l.ExpiresAtUtc, l.EndedAtUtc, l.EndedBy, l.EndReason);
    }
}
