using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// One authorised live view: bound to a user, a camera and a random 256-bit token. The token opens the stream until
/// <see cref="TokenExpiresAt"/>; an open stream lasts until the viewer leaves, access is revoked or the camera's
/// allowed hours end (<see cref="EndsAt"/>).
/// </summary>
public sealed class LiveSession : StreamSession
{
    private readonly byte[] _token;

    internal LiveSession(string id, string token, ClaimsPrincipal user, CameraSource camera, FeedDecision feed, string? remoteAddress,
        DateTimeOffset createdAt, DateTimeOffset tokenExpiresAt, DateTimeOffset? endsAt)
    {
        Feed = feed;
        Id = id;
        Token = token;
        _token = Encoding.ASCII.GetBytes(token);
        User = user;
        UserName = user.Identity?.Name ?? "anonymous";
        Camera = camera;
        RemoteAddress = remoteAddress;
        CreatedAt = createdAt;
        TokenExpiresAt = tokenExpiresAt;
        EndsAt = endsAt;
        LastActivity = createdAt;
    }

    public string Id { get; }

    public string Token { get; }

    public ClaimsPrincipal User { get; }

    public string UserName { get; }

    public CameraSource Camera { get; }

    /// <summary>The picture this session reads (<see cref="PictureFeedRule"/>), decided when it opened.</summary>
    public FeedDecision Feed { get; }

    public string? RemoteAddress { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset TokenExpiresAt { get; }

    /// <summary>When the camera's allowed hours end, or a care look's limit (null: they do not end).</summary>
    public DateTimeOffset? EndsAt { get; }

    /// <summary>What <see cref="EndsAt"/> is, for the audit and the viewer.</summary>
    internal string EndsBecause { get; init; } = "the camera's allowed hours ended";

    internal DateTimeOffset LastActivity { get; set; }

    /// <summary>The WebSocket viewer while one is connected.</summary>
    internal PathLease? WebSocket { get; set; }

    /// <summary>The HLS reader's hold on the path while HLS requests keep coming.</summary>
    internal PathLease? Hls { get; set; }

    internal Lock Gate { get; } = new();

    internal bool TokenMatches(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(_token, Encoding.ASCII.GetBytes(token));
}

/// <summary>Why a token did not open a session; the endpoint turns it into a problem response.</summary>
public enum SessionRefusal
{
    None = 0,
    UnknownSession = 1,
    BadToken = 2,
    Expired = 3,

    /// <summary>A ticket from another node that the policy, asked again here, does not allow now (403).</summary>
    Refused = 4,

    /// <summary>A ticket for a camera this node does not hold now (503: open a new session where it is).</summary>
    Moved = 5,
}

/// <summary>The outcome of presenting a session token: the session, or why not (with the policy's reason when it refused).</summary>
public sealed record SessionOpening(SessionRefusal Refusal, LiveSession? Session, string? Reason = null);

/// <summary>A session handed to the camera's owner node: its id and the token that node opens it with.</summary>
public sealed record HandedSession(string Id, string Token, DateTimeOffset TokenExpiresAt);

/// <summary>
/// Open live sessions: creation, token checks, ending (audited once), re-checks when access changes. A token is a
/// <see cref="SessionTicket"/> every node verifies, so a session opened on one node is materialised by the camera's
/// owner when its stream is first asked for (issue #17, docs/design/live.md "Any node answers").
/// </summary>
public sealed partial class LiveSessions(
    IOptions<BrokerOptions> options, TimeProvider time, IAuditLog audit, IAccessPolicy policy, IBrokerEvents events, ICameraDirectory cameras,
    MaskedFeeds feeds, ILogger<LiveSessions> logger, IPictureFeeds? pictures = null, SessionTickets? tickets = null, ICameraOwners? owners = null,
    NodeIdentity? node = null)
{
    /// <summary>The <see cref="SessionTicket.Kind"/> of live tickets.</summary>
    public const string TicketKind = "live";

    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);

    // Every session id opened here, until its token expires: a ticket opens one session once, never again after it ended.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _spent = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<SessionOpening>>> _materialising = new(StringComparer.Ordinal);
    private readonly SessionTickets _tickets = tickets ?? new SessionTickets(time);

    public IReadOnlyCollection<LiveSession> Open => [.. _sessions.Values];

    /// <summary>
    /// Creates a session for a user the policy has just allowed, reading <paramref name="feed"/> (the original when null);
    /// <paramref name="until"/> is the policy's limit (a care look).
    /// </summary>
    public LiveSession Create(ClaimsPrincipal user, CameraSource camera, string? remoteAddress, FeedDecision? feed = null, DateTimeOffset? until = null)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var decided = feed ?? PictureFeedRule.For(camera);
        var expires = time.GetUtcNow() + options.Value.TokenLifetime;
        var token = _tickets.Issue(TicketOf(id, user, camera, decided, until, expires, remoteAddress));
        return Register(id, token, user, camera, remoteAddress, decided, until, expires);
    }

    /// <summary>
    /// A session the policy has just allowed here for a camera another node owns: only its token, which that node opens
    /// (and audits) when the viewer connects; nothing is kept here.
    /// </summary>
    public HandedSession Hand(ClaimsPrincipal user, CameraSource camera, string? remoteAddress, FeedDecision feed, DateTimeOffset? until)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = time.GetUtcNow() + options.Value.TokenLifetime;
        return new HandedSession(id, _tickets.Issue(TicketOf(id, user, camera, feed, until, expires, remoteAddress)), expires);
    }

    private SessionTicket TicketOf(
        string id, ClaimsPrincipal user, CameraSource camera, FeedDecision feed, DateTimeOffset? until, DateTimeOffset expires, string? remoteAddress) =>
        new(TicketKind, id, user.Identity?.Name ?? "anonymous", SessionTickets.RolesOf(user), camera.Id, feed.IsMasked, feed.LiftId, expires, until,
            null, null, node?.Name, remoteAddress);

    private LiveSession Register(
        string id, string token, ClaimsPrincipal user, CameraSource camera, string? remoteAddress, FeedDecision feed, DateTimeOffset? until,
        DateTimeOffset tokenExpiresAt)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? endsAt = null;
        if (CameraHub.CameraRegistry.Schedules.AllowedHours.TryParse(camera.AllowedHours, out var hours, out _) && hours is not null)
        {
            // Closed now (the policy should have said so): the session ends at once rather than at the next opening.
            endsAt = hours.IsOpen(now) ? hours.NextChange(now) : now;
        }

        var limited = until is { } limit && (endsAt is null || limit < endsAt);
        endsAt = limited ? until : endsAt;
        // An unmasked view under a mask lift ends when the lift does.
        var lifted = feed.Until is { } liftEnd && (endsAt is null || liftEnd < endsAt);
        endsAt = lifted ? feed.Until : endsAt;

        var session = new LiveSession(id, token, user, camera, feed, remoteAddress, now, tokenExpiresAt, endsAt)
        {
            EndsBecause = lifted ? "the mask lift expired; open the view again for the masked picture"
                : limited ? "the look's time limit was reached" : "the camera's allowed hours ended",
        };
        _sessions[session.Id] = session;
        _spent[session.Id] = tokenExpiresAt;
        return session;
    }

    /// <summary>Finds the session and checks its token; HLS sessions in use stay valid past the token's expiry.</summary>
    public SessionRefusal TryOpen(string sessionId, string? token, bool hls, out LiveSession? session)
    {
        if (!_sessions.TryGetValue(sessionId, out session) || session.IsEnded)
        {
            session = null;
            return SessionRefusal.UnknownSession;
        }

        if (!session.TokenMatches(token))
        {
            session = null;
            return SessionRefusal.BadToken;
        }

        var now = time.GetUtcNow();
        var inUse = hls && session.Hls is not null && now - session.LastActivity < options.Value.HlsIdleTimeout;
        if (now >= session.TokenExpiresAt && !inUse)
        {
            session = null;
            return SessionRefusal.Expired;
        }

        session.LastActivity = now;
        return SessionRefusal.None;
    }

    /// <summary>Ends a session once: detaches its readers, audits end (or revocation) with bytes sent.</summary>
    public async Task EndAsync(LiveSession session, string reason, bool revoked, bool byBroker)
    {
        if (!session.TryMarkEnded())
        {
            return;
        }

        _sessions.TryRemove(session.Id, out _);
        PathLease? ws;
        PathLease? hls;
        lock (session.Gate)
        {
            ws = session.WebSocket;
            hls = session.Hls;
            session.Hls = null;
        }

        ws?.Viewer.End(reason, revoked);
        if (hls is not null)
        {
            await hls.DisposeAsync();
        }

        var action = revoked ? AuditAction.LiveViewRevoked : AuditAction.LiveViewEnded;
        var seconds = (time.GetUtcNow() - session.CreatedAt).TotalSeconds;
        try
        {
            await audit.AppendAsync(new AuditEvent(action, revoked ? AuditOutcome.Denied : AuditOutcome.Allowed, session.UserName,
                session.Camera.Id, "live", session.RemoteAddress,
                FormattableString.Invariant($"{reason}; bytesSent={session.BytesSent}; seconds={seconds:0}"),
                "LiveSession", session.Id), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Could not audit the end of live session {Session}", session.Id);
        }

        if (byBroker)
        {
            try
            {
                await events.SessionEndedAsync(new SessionEndedEvent(session.Id, session.Camera.Id, session.UserName, reason, revoked));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogDebug(e, "Could not publish the end of live session {Session}", session.Id);
            }
        }
    }

    /// <summary>Attaches the session's WebSocket viewer to the feed decided for it (the camera's path or its masked feed).</summary>
    internal PathLease Attach(LiveSession session, Viewer viewer) => feeds.Attach(session.Camera, session.Feed, viewer);

    /// <summary>Gives the session an HLS hold on its camera path (the path stays open while HLS is in use).</summary>
    internal PathLease EnsureHls(LiveSession session)
    {
        lock (session.Gate)
        {
            if (session.Hls is null)
            {
                var reader = new Viewer(session.Id, 1, time, options.Value.SlowViewerTimeout, queued: false);
                session.Hls = feeds.Attach(session.Camera, session.Feed, reader);
            }

            return session.Hls;
        }
    }

    /// <summary>Re-asks the policy for every open session the change may concern; ends those no longer allowed.</summary>
    public async Task RecheckAsync(AccessChanged change, CancellationToken ct)
    {
        foreach (var session in _sessions.Values)
        {
            if (change.UserName is not null && !string.Equals(change.UserName, session.UserName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var decision = await policy.DecideAsync(session.User, CameraRight.Live, session.Camera.Id, ct);
            if (!decision.Allowed)
            {
                logger.LogInformation("Live session {Session} of {User} on {Camera} revoked: {Reason}", session.Id, session.UserName, session.Camera.Id, decision.Reason);
                await EndAsync(session, $"access revoked: {change.Reason}; {decision.Reason}", revoked: true, byBroker: true);
            }
            else if (!session.Feed.IsMasked && await cameras.FindAsync(session.Camera.Id, ct) is { } camera
                && (pictures is null ? PictureFeedRule.For(camera) : await pictures.LiveAsync(session.UserName, camera, ct)).IsMasked)
            {
                // The registry now masks this camera, or the mask lift ended: the unmasked view stops; a new session reads the masked feed.
                await EndAsync(session, $"camera '{session.Camera.Id}' must now be masked; open the view again for the masked picture", revoked: true, byBroker: true);
            }
        }
    }

    /// <summary>Ends sessions whose allowed hours ended, whose HLS went quiet, or whose token expired unused.</summary>
    public async Task SweepAsync()
    {
        var now = time.GetUtcNow();
        foreach (var (id, expires) in _spent)
        {
            if (expires <= now && !_sessions.ContainsKey(id))
            {
                _spent.TryRemove(id, out _);
            }
        }

        foreach (var session in _sessions.Values)
        {
            string? reason = null;
            if (session.EndsAt is { } end && now >= end)
            {
                reason = session.EndsBecause;
            }
            else if (session.Hls is not null && session.WebSocket is null && now - session.LastActivity >= options.Value.HlsIdleTimeout)
            {
                reason = "HLS player stopped requesting";
            }
            else if (session.Hls is null && session.WebSocket is null && now >= session.TokenExpiresAt)
            {
                reason = "token expired before the stream was opened";
            }

            if (reason is not null)
            {
                await EndAsync(session, reason, revoked: false, byBroker: true);
            }
        }
    }

    /// <summary>Ends every session (host shutting down) so transports finish and the paths can close.</summary>
    public Task EndAllAsync(string reason) =>
        Task.WhenAll(_sessions.Values.Select(s => EndAsync(s, reason, revoked: false, byBroker: true)));

}
