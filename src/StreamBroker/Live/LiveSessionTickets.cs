using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Sessions;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Live;

/// <content>Opening a session from its token: one of this node's, or a ticket another node issued for a camera held here.</content>
public sealed partial class LiveSessions
{
    /// <summary>
    /// The session a token opens: a session of this node (token compared in constant time), or one materialised from a
    /// ticket issued by another node, after the policy and the picture rule are asked again here (fail closed).
    /// </summary>
    public async Task<SessionOpening> OpenAsync(string sessionId, string? token, bool hls, string? remoteAddress, CancellationToken ct)
    {
        var refusal = TryOpen(sessionId, token, hls, out var session);
        if (refusal != SessionRefusal.UnknownSession || _spent.ContainsKey(sessionId))
        {
            return new SessionOpening(refusal, session);
        }

        if (_tickets.Read(token, sessionId, TicketKind) is not { } ticket)
        {
            return new SessionOpening(token is null ? SessionRefusal.UnknownSession : SessionRefusal.BadToken, null);
        }

        // One materialisation per session: a player that opens the WebSocket twice at once gets one session (and one audit entry).
        var materialising = _materialising.GetOrAdd(sessionId, _ => new Lazy<Task<SessionOpening>>(() => MaterialiseAsync(ticket, token!, remoteAddress, CancellationToken.None)));
        try
        {
            var opened = await materialising.Value.WaitAsync(ct);
            return opened.Session is null ? opened : new SessionOpening(TryOpen(sessionId, token, hls, out session), session);
        }
        finally
        {
            _materialising.TryRemove(new KeyValuePair<string, Lazy<Task<SessionOpening>>>(sessionId, materialising));
        }
    }

    private async Task<SessionOpening> MaterialiseAsync(SessionTicket ticket, string token, string? remoteAddress, CancellationToken ct)
    {
        // A camera nobody pulls yet is claimed here when the assignment names this node (the node that issued the ticket
        // sent the viewer here for that reason); held by another node, or not ours to claim, the viewer opens a new session.
        if (owners is not null && !owners.OwnsLocally(ticket.CameraId) && !await owners.TryClaimAsync(ticket.CameraId, ct))
        {
            return new SessionOpening(SessionRefusal.Moved, null,
                $"camera '{ticket.CameraId}' is not held by this node now; open a new session (POST /api/cameras/{ticket.CameraId}/live)");
        }

        var user = ticket.Principal();
        var decision = await policy.DecideAsync(user, CameraRight.Live, ticket.CameraId, ct);
        var camera = decision.Allowed ? await cameras.FindAsync(ticket.CameraId, ct) : null;
        FeedDecision? feed = null;
        if (decision.Allowed)
        {
            decision = camera switch
            {
                null => AccessDecision.NotFound($"camera {ticket.CameraId} does not exist"),
                { Mode: CameraMode.RecordedOnly } => AccessDecision.Conflict($"camera {ticket.CameraId} is recorded only; it is never shown live"),
                { RtspUrl: null or "" } => AccessDecision.Conflict($"camera {ticket.CameraId} has no RTSP address in the registry"),
                _ => decision,
            };
        }

        if (decision.Allowed && camera is not null)
        {
            feed = pictures is null ? PictureFeedRule.For(camera) : await pictures.LiveAsync(ticket.UserName, camera, ct);
            decision = !ticket.Names(feed)
                ? AccessDecision.Forbid($"the picture of camera '{camera.Id}' for '{ticket.UserName}' is no longer the one this session was opened for ({(ticket.Masked ? "masked" : "unmasked")}); open a new session")
                : feed.IsMasked ? await LiveEndpoints.CheckMaskAsync(feeds, camera, ct) ?? decision : decision;
        }

        var origin = $"opened through node {ticket.Node ?? "?"} for {ticket.RemoteAddress ?? "?"}";
        if (!decision.Allowed || camera is null || feed is null)
        {
            logger.LogInformation("Ticket of live session {Session} for {User} on {Camera} refused here: {Reason}", ticket.SessionId, ticket.UserName, ticket.CameraId, decision.Reason);
            await audit.AppendAsync(new AuditEvent(AuditAction.AccessDenied, AuditOutcome.Denied, ticket.UserName, ticket.CameraId, "live", remoteAddress,
                $"session token {origin} refused: {decision.Reason}", "LiveSession", ticket.SessionId), ct);
            return new SessionOpening(SessionRefusal.Refused, null, decision.Reason);
        }

        var until = ticket.Until is { } a && decision.Until is { } b ? (a < b ? a : b) : ticket.Until ?? decision.Until;
        var session = Register(ticket.SessionId, token, user, camera, remoteAddress, feed, until, ticket.ExpiresAt);
        // The owner audits the start of a handed session (and its end, as of any session here): one entry each, on the
        // node whose stream the viewer reads. The issuing node wrote nothing for it.
        await audit.AppendAsync(new AuditEvent(AuditAction.LiveViewStarted, AuditOutcome.Allowed, ticket.UserName, camera.Id, "live", remoteAddress,
            $"{decision.Reason}; feed {feed.Feed}: {feed.Reason}; {origin}", "LiveSession", session.Id), ct);
        if (feed.LiftId is { } lift)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.MaskLiftStarted, AuditOutcome.Allowed, ticket.UserName, camera.Id, "unmask", remoteAddress,
                $"unmasked live view {session.Id} until {feed.Until:O}: {feed.Reason}", "MaskLift", lift.ToString()), ct);
        }

        return new SessionOpening(SessionRefusal.None, session);
    }
}
