using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Sessions;

namespace CameraHub.StreamBroker.Playback;

/// <summary>What opening a playback of a window decided: the policy's answer, the camera, its complete segments, the feed and the mask used.</summary>
public sealed record PlaybackDecision(AccessDecision Decision, CameraSource? Camera, IReadOnlyList<RecordingSegment> Segments, FeedDecision? Feed, string? MaskSha);

/// <summary>
/// Opening playback: the decision POST /api/cameras/{id}/playback takes, and the same decision taken again by the node a
/// session was handed to (issue #17) when its ticket is first presented (fail closed: a ticket naming another feed,
/// or one the policy refuses now, opens nothing).
/// </summary>
public sealed class PlaybackOpener(
    IAccessPolicy policy, ICameraDirectory directory, SegmentIndex index, MaskedPlayback masked, IFeedMasks masks, IPictureFeeds pictures,
    PlaybackSessions sessions, IAuditLog audit)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<PlaybackSession?>>> _materialising = new(StringComparer.Ordinal);

    /// <summary>May <paramref name="user"/> play camera <paramref name="id"/>'s footage of the window now, and which feed.</summary>
    public async Task<PlaybackDecision> DecideAsync(ClaimsPrincipal user, string actor, string id, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var decision = await policy.DecideAsync(user, CameraRight.Playback, id, ct);
        IReadOnlyList<RecordingSegment> segments = [];
        CameraSource? camera = null;
        if (decision.Allowed)
        {
            camera = await directory.FindAsync(id, ct);
            segments = camera is null ? [] : [.. (await index.InWindowAsync(id, from, to, ct)).Where(s => s.State == SegmentState.Complete)];
            decision = camera switch
            {
                null => AccessDecision.NotFound($"camera {id} does not exist"),
                _ when to <= from => AccessDecision.Conflict("to must be after from"),
                { Mode: CameraMode.LiveOnly } => AccessDecision.Conflict($"camera {id} is live only; it has no recordings"),
                _ when segments.Count == 0 => AccessDecision.Conflict($"camera {id} has no footage between {from:O} and {to:O}"),
                _ => decision,
            };
        }

        var feed = camera is null ? null : await pictures.RecordedAsync(actor, camera, from, to,
            decision.Allowed && await masks.MaskedDuringAsync(camera, segments[0].Start, segments[^1].End, ct), ct);
        string? maskSha = null;
        if (decision.Allowed && feed!.IsMasked)
        {
            // A masked camera whose mask cannot be made plays nothing: refuse now with the reason, never the original.
            try
            {
                var input = await masked.PrepareAsync(id, segments, segments[0].Start, ct);
                File.Delete(input.ListFile);
                maskSha = $"{input.MaskSha256} {input.MaskVersions}".TrimEnd();
            }
            catch (MaskUnavailableException e)
            {
                decision = PictureFeedRule.MaskUnavailable(id, e.Message);
            }
        }

        return new PlaybackDecision(decision, camera, segments, feed, maskSha);
    }

    /// <summary>Audits an opened playback (and the mask lift it runs under): one entry per session, on the node that serves it.</summary>
    public async Task AuditStartAsync(PlaybackSession session, PlaybackDecision decided, string? remote, string? origin, CancellationToken ct)
    {
        var feed = session.Feed;
        await audit.AppendAsync(new AuditEvent(AuditAction.PlaybackStarted, AuditOutcome.Allowed, session.Actor, session.CameraId, "playback", remote,
            string.Create(CultureInfo.InvariantCulture,
                $"{session.From:O}..{session.To:O}, {session.Segments.Count} segment(s); {decided.Decision.Reason}; feed {feed.Feed}{(decided.MaskSha is null ? "" : $", mask {decided.MaskSha}")}{(origin is null ? "" : $"; {origin}")}"),
            "PlaybackSession", session.Id), ct);
        if (feed.LiftId is { } lift)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.MaskLiftStarted, AuditOutcome.Allowed, session.Actor, session.CameraId, "unmask", remote,
                $"unmasked playback {session.Id} of {session.From:O}..{session.To:O} until {feed.Until:O}: {feed.Reason}", "MaskLift", lift.ToString()), ct);
        }
    }

    /// <summary>The session a token opens here: one of this node's, or one materialised from another node's ticket; null otherwise.</summary>
    public async Task<PlaybackSession?> FindAsync(string sessionId, string? token, string? remote, CancellationToken ct)
    {
        if (sessions.Find(sessionId, token) is { } open)
        {
            return open;
        }

        if (sessions.Known(sessionId) || sessions.Tickets.Read(token, sessionId, PlaybackSessions.TicketKind) is not { From: { } from, To: { } to } ticket)
        {
            return null;
        }

        var materialising = _materialising.GetOrAdd(sessionId, _ => new Lazy<Task<PlaybackSession?>>(() => MaterialiseAsync(ticket, token!, from, to, remote)));
        try
        {
            return await materialising.Value.WaitAsync(ct) is not null ? sessions.Find(sessionId, token) : null;
        }
        finally
        {
            _materialising.TryRemove(new KeyValuePair<string, Lazy<Task<PlaybackSession?>>>(sessionId, materialising));
        }
    }

    private async Task<PlaybackSession?> MaterialiseAsync(SessionTicket ticket, string token, DateTimeOffset from, DateTimeOffset to, string? remote)
    {
        var decided = await DecideAsync(ticket.Principal(), ticket.UserName, ticket.CameraId, from, to, CancellationToken.None);
        var origin = $"opened through node {ticket.Node ?? "?"}";
        var reason = !decided.Decision.Allowed ? decided.Decision.Reason
            : !ticket.Names(decided.Feed!) ? $"the picture of camera '{ticket.CameraId}' for '{ticket.UserName}' is no longer the one this playback was opened for; open a new one"
            : null;
        if (reason is not null)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.AccessDenied, AuditOutcome.Denied, ticket.UserName, ticket.CameraId, "playback", remote,
                $"playback token {origin} refused: {reason}", "PlaybackSession", ticket.SessionId), CancellationToken.None);
            return null;
        }

        var session = sessions.Register(ticket.SessionId, token, ticket.CameraId, ticket.UserName, from, to, decided.Segments, ticket.ExpiresAt, decided.Feed!);
        await AuditStartAsync(session, decided, remote, origin, CancellationToken.None);
        return session;
    }
}
