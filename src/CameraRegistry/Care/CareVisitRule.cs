using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Care;

/// <summary>What a care-camera request is for: the stream itself, or starting a visit's look or an emergency look.</summary>
public enum CareLookIntent
{
    Stream = 0,
    StartLook = 1,
    EmergencyLook = 2,
}

/// <summary>
/// The care supervision rule of the access policy (DESIGN.md 4.7, docs/design/care.md), applied to CareHome cameras
/// after the camera's own rules and the grants have been decided: never recorded; live only inside an open visit
/// window of an active decision (409 for everyone otherwise, naming the next window), only for a CareOperator of the
/// decision's care unit (403), and the stream only while a started look lasts (its end is the session's end).
/// </summary>
public sealed class CareVisitRule(IDbContextFactory<CareDbContext> contexts)
{
    /// <summary>The final answer for <paramref name="camera"/>; <paramref name="decided"/> is the policy's answer so far.</summary>
    public async Task<AccessDecision> DecideAsync(
        string userName, IReadOnlySet<string> roles, CameraRight right, CameraAccessFacts camera, AccessDecision decided,
        DateTimeOffset now, CareLookIntent intent, CancellationToken ct)
    {
        if (camera.Category != CameraCategory.CareHome)
        {
            return decided;
        }

        if (right is CameraRight.Playback or CameraRight.Export)
        {
            return AccessDecision.Conflict($"care camera '{camera.Id}' looks into a private home and is never recorded");
        }

        if (right != CameraRight.Live || (!decided.Allowed && decided.StatusCode is 404 or 409))
        {
            return decided;
        }

        var utc = now.UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var decisions = await db.Decisions.AsNoTracking().Where(d => d.CameraId == camera.Id).ToListAsync(ct);
        var today = VisitSchedule.LocalDay(utc);
        var decision = decisions.FirstOrDefault(d => d.InForceOn(today));
        if (decision is null)
        {
            var latest = decisions.OrderByDescending(d => d.UpdatedAtUtc).FirstOrDefault();
            return AccessDecision.Conflict(latest is null
                ? $"care camera '{camera.Id}' has no supervision decision: nobody may look"
                : $"care camera '{camera.Id}': decision {latest.DecisionReference} is {latest.State.ToString().ToLowerInvariant()}"
                  + (latest.State == DecisionState.Active ? " but not valid today" : "") + ": nobody may look");
        }

        var look = intent == CareLookIntent.Stream
            ? await db.Looks.AsNoTracking()
                .Where(l => l.CameraId == camera.Id && l.UserName == userName && l.DecisionId == decision.Id && l.EndedAtUtc == null && l.EndsAtUtc > utc)
                .OrderByDescending(l => l.EndsAtUtc).FirstOrDefaultAsync(ct)
            : null;
        if (look is null && intent != CareLookIntent.EmergencyLook && WindowAt(decision, utc) is null)
        {
            return AccessDecision.Conflict($"care camera '{camera.Id}' is outside every visit window of decision {decision.DecisionReference}; "
                + NextWindowText(decision, utc) + " (an emergency look with a reason is possible)");
        }

        if (!roles.Contains(HubRoles.CareOperator)
            || !await db.Staff.AnyAsync(s => s.UserName == userName && s.CareUnit == decision.CareUnit, ct))
        {
            return AccessDecision.Forbid($"only a care operator of unit '{decision.CareUnit}' may look at care camera '{camera.Id}'");
        }

        if (!decided.Allowed)
        {
            return decided;
        }

        if (intent != CareLookIntent.Stream)
        {
            return decided;
        }

        return look is null
            ? AccessDecision.Conflict($"care camera '{camera.Id}' is shown only during a started look: start the visit's look first (POST /api/care/visits/{{id}}/look)")
            : AccessDecision.Allow($"{decided.Reason}; care look {look.Id} until {look.EndsAtUtc:HH:mm:ss} UTC") with { Until = new DateTimeOffset(look.EndsAtUtc, TimeSpan.Zero) };
    }

    /// <summary>The visit window open at <paramref name="utc"/> (start, end, planned), or null.</summary>
    public static (DateTime Start, DateTime End, DateTime Planned)? WindowAt(CareDecision decision, DateTime utc)
    {
        var margin = TimeSpan.FromMinutes(decision.WindowMinutes);
        foreach (var planned in VisitSchedule.Parse(decision.Schedule).VisitsBetween(utc - margin, utc + margin + TimeSpan.FromTicks(1)))
        {
            if (planned - margin <= utc && utc < planned + margin)
            {
                return (planned - margin, planned + margin, planned);
            }
        }

        return null;
    }

    /// <summary>"the next window is 2026-11-24 21:45–22:15 (Europe/Stockholm)", or that none is planned within two weeks.</summary>
    public static string NextWindowText(CareDecision decision, DateTime utc)
    {
        var margin = TimeSpan.FromMinutes(decision.WindowMinutes);
        var next = VisitSchedule.Parse(decision.Schedule).VisitsBetween(utc + margin, utc + TimeSpan.FromDays(14))
            .Where(p => decision.ValidTo is null || VisitSchedule.LocalDay(p) <= decision.ValidTo)
            .Select(p => (DateTime?)p).FirstOrDefault();
        return next is { } p
            ? $"the next window is {VisitSchedule.LocalText(p - margin)}–{VisitSchedule.LocalText(p + margin)[11..]} (Europe/Stockholm)"
            : "no further visit is planned within two weeks";
    }
}
