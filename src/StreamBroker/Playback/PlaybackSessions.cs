using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Sessions;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Playback;

/// <summary>An authorised, audited playback of one camera's footage in a window; its token opens the streams.</summary>
public sealed class PlaybackSession(string id, string token, string cameraId, string actor, DateTimeOffset from, DateTimeOffset to,
    IReadOnlyList<RecordingSegment> segments, DateTimeOffset tokenExpiresAt, FeedDecision feed)
{
    /// <summary>The picture this session plays (<see cref="PictureFeedRule"/>): the recorded original, or masked on the fly.</summary>
    public FeedDecision Feed { get; } = feed;

    public string Id { get; } = id;
    public string Token { get; } = token;
    public string CameraId { get; } = cameraId;
    public string Actor { get; } = actor;
    public DateTimeOffset From { get; } = from;
    public DateTimeOffset To { get; } = to;
    /// <summary>The window's complete segments, oldest first, as they were when the session opened.</summary>
    public IReadOnlyList<RecordingSegment> Segments { get; } = segments;
    public DateTimeOffset TokenExpiresAt { get; } = tokenExpiresAt;

    /// <summary>Set when the mask lift an unmasked session runs under ended: nothing more is served.</summary>
    public bool LiftEnded { get; set; }
}

/// <summary>
/// Open playback sessions (in memory: a restart ends them, like live sessions). Tokens are <see cref="SessionTicket"/>s,
/// so the node a session was handed to opens it itself (<see cref="PlaybackOpener"/>).
/// </summary>
public sealed class PlaybackSessions
{
    /// <summary>The <see cref="SessionTicket.Kind"/> of playback tickets.</summary>
    public const string TicketKind = "playback";

    private readonly ConcurrentDictionary<string, PlaybackSession> _sessions = new(StringComparer.Ordinal);
    private readonly IOptions<RecordingOptions> options;
    private readonly TimeProvider time;
    private readonly NodeIdentity? node;

    public PlaybackSessions(
        IOptions<RecordingOptions> options, TimeProvider time, IEnumerable<IAccessChangeFeed>? changes = null, IPictureFeeds? pictures = null,
        SessionTickets? tickets = null, NodeIdentity? node = null)
    {
        this.options = options;
        this.time = time;
        this.node = node;
        Tickets = tickets ?? new SessionTickets(time);
        foreach (var feed in changes ?? [])
        {
            // A lift's end is published as an access change of its user: that user's unmasked sessions under ended lifts stop.
            feed.Subscribe(async change =>
            {
                foreach (var s in _sessions.Values.Where(s => s.Feed.LiftId is not null && string.Equals(s.Actor, change.UserName, StringComparison.OrdinalIgnoreCase)))
                {
                    s.LiftEnded |= pictures is null || !await pictures.LiftInForceAsync(s.Feed.LiftId!.Value, CancellationToken.None);
                }
            });
        }
    }

    /// <summary>False once an unmasked session's mask lift expired or ended (a masked session or one without a lift: true).</summary>
    public bool StillShown(PlaybackSession session) =>
        !session.LiftEnded && (session.Feed.Until is not { } until || time.GetUtcNow() < until);

    internal SessionTickets Tickets { get; }

    /// <summary>Whether a session of this id was opened here (then its ticket opens nothing more here).</summary>
    internal bool Known(string sessionId) => _sessions.ContainsKey(sessionId);

    public PlaybackSession Create(
        ClaimsPrincipal user, string cameraId, string actor, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<RecordingSegment> segments, FeedDecision feed)
    {
        var (id, token, expires) = Hand(user, cameraId, actor, from, to, feed);
        return Register(id, token, cameraId, actor, from, to, segments, expires, feed);
    }

    /// <summary>A session for the camera's owner node to open: only its id, token and expiry; nothing is kept here.</summary>
    public (string Id, string Token, DateTimeOffset ExpiresAt) Hand(
        ClaimsPrincipal user, string cameraId, string actor, DateTimeOffset from, DateTimeOffset to, FeedDecision feed)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var expires = time.GetUtcNow() + options.Value.PlaybackTokenLifetime;
        var ticket = new SessionTicket(TicketKind, id, actor, SessionTickets.RolesOf(user), cameraId, feed.IsMasked, feed.LiftId, expires, null, from, to,
            node?.Name, null);
        return (id, Tickets.Issue(ticket), expires);
    }

    internal PlaybackSession Register(
        string id, string token, string cameraId, string actor, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<RecordingSegment> segments,
        DateTimeOffset expires, FeedDecision feed)
    {
        // A session is dropped when its token expires: its ticket has expired with it, so it cannot open it again.
        foreach (var stale in _sessions.Values.Where(s => s.TokenExpiresAt <= time.GetUtcNow()))
        {
            _sessions.TryRemove(stale.Id, out _);
        }

        var session = new PlaybackSession(id, token, cameraId, actor, from, to, segments, expires, feed);
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>The session if the token is its own and still valid; compared in constant time.</summary>
    public PlaybackSession? Find(string sessionId, string? token) =>
        _sessions.TryGetValue(sessionId, out var s) && token is not null && s.TokenExpiresAt > time.GetUtcNow() && StillShown(s)
        && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(s.Token), System.Text.Encoding.ASCII.GetBytes(token))
            ? s : null;
}
