using System.Collections.Concurrent;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>One partner system's HLS reading of one camera: its audited session and its hold on the camera's (or masked) path.</summary>
internal sealed class PartnerHlsReader(PartnerSession session, PathLease lease, long lastRequest)
{
    private long _lastRequest = lastRequest;

    public PartnerSession Session { get; } = session;

    public PathLease Lease { get; } = lease;

    /// <summary>TimeProvider timestamp of the latest request.</summary>
    public long LastRequest
    {
        get => Interlocked.Read(ref _lastRequest);
        set => Interlocked.Exchange(ref _lastRequest, value);
    }

    public CancellationTokenRegistration OnCut { get; set; }
}

/// <summary>
/// Partner HLS sessions. HTTP has no connection to end, so a session is the run of requests of one credential for
/// one camera from one address: opened (and audited) by the first allowed playlist request, ended when requests stop
/// for <see cref="BrokerOptions.HlsIdleTimeout"/> or when <see cref="PartnerSessions"/> cuts it (agreement or
/// credentials revoked or expired) — after which every request is refused.
/// </summary>
public sealed class PartnerHlsReaders(
    MaskedFeeds feeds, PartnerSessions sessions, IOptions<BrokerOptions> options, TimeProvider time, ILogger<PartnerHlsReaders> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<(Guid Credential, string Camera, string? Remote), PartnerHlsReader> _readers = new();
    private readonly ConcurrentDictionary<(Guid Credential, string Camera, string? Remote), Lazy<Task<PartnerHlsReader>>> _opening = new();

    /// <summary>How many partner HLS readers are open (tests, diagnostics).</summary>
    public int Count => _readers.Count;

    internal PartnerHlsReader? Find(PartnerLogin login, string cameraId, string? remote)
    {
        if (!_readers.TryGetValue((login.CredentialId, cameraId, remote), out var reader) || reader.Session.Cut.IsCancellationRequested)
        {
            return null;
        }

        reader.LastRequest = time.GetTimestamp();
        return reader;
    }

    /// <summary>The open reader, or a new one attached to the partner feed of <paramref name="camera"/> and audited as a session.</summary>
    /// <exception cref="MaskUnavailableException">The camera requires masking and no mask can be made.</exception>
    internal async Task<PartnerHlsReader> OpenAsync(PartnerLogin login, CameraSource camera, string? remote, string reason)
    {
        if (Find(login, camera.Id, remote) is { } open)
        {
            return open;
        }

        // A player's first requests can overlap: they share one opening (which may wait for the camera's first
        // video), and openings of other partners or cameras never wait for it.
        var key = (login.CredentialId, camera.Id, remote);
        var opening = _opening.GetOrAdd(key, _ => new Lazy<Task<PartnerHlsReader>>(() => OpenNewAsync(key, login, camera, remote, reason)));
        try
        {
            return await opening.Value;
        }
        finally
        {
            _opening.TryRemove(new KeyValuePair<(Guid, string, string?), Lazy<Task<PartnerHlsReader>>>(key, opening));
        }
    }

    private async Task<PartnerHlsReader> OpenNewAsync((Guid, string, string?) key, PartnerLogin login, CameraSource camera, string? remote, string reason)
    {
        var viewer = new Viewer($"partner-hls-{login.UserName}", 1, time, options.Value.SlowViewerTimeout, queued: false);
        PathLease lease;
        try
        {
            // Not the request's token: other requests may be waiting on this opening.
            lease = await feeds.AttachAsync(camera, viewer, CancellationToken.None);
        }
        catch
        {
            viewer.Dispose();
            throw;
        }

        var session = await sessions.StartAsync(login, camera.Id, SharingProtocols.Hls, remote, reason, MaskedFeeds.RequiresMasking(camera), CancellationToken.None);
        var reader = new PartnerHlsReader(session, lease, time.GetTimestamp());
        _readers[key] = reader;
        reader.OnCut = session.Cut.Register(() => _ = CloseAsync(key, reader, null));
        return reader;
    }

    /// <summary>Drops the reader and its path hold; ends (and audits) its session unless the hub already did.</summary>
    private async Task CloseAsync((Guid, string, string?) key, PartnerHlsReader reader, string? reason)
    {
        try
        {
            _readers.TryRemove(new KeyValuePair<(Guid, string, string?), PartnerHlsReader>(key, reader));
            if (reason is not null)
            {
                await sessions.EndAsync(reader.Session, reason, revoked: false);
            }

            await reader.Lease.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Closing the partner HLS reader of {Camera} failed", reader.Session.CameraId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PartnerSessionSupervisor.RecheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var (key, reader) in _readers)
                {
                    if (time.GetElapsedTime(reader.LastRequest) >= options.Value.HlsIdleTimeout)
                    {
                        await CloseAsync(key, reader, "HLS player stopped requesting");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // host stopping
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_readers.Select(r => CloseAsync(r.Key, r.Value, "the hub is shutting down")));
    }

    public override void Dispose()
    {
        foreach (var reader in _readers.Values)
        {
            reader.OnCut.Dispose();
        }

        base.Dispose();
    }
}

/// <summary>
/// GET /api/partner/hls/{cameraId}/index.m3u8 (+ init.mp4, {sequence}.m4s) for partner systems, authenticated by the
/// partner's API key in <c>X-Api-Key</c> or <c>Authorization: ApiKey …</c> (never in the URL, so never in a log).
/// Every playlist request asks the sharing policy again; segments are served only inside an open session.
/// </summary>
public static class PartnerHlsEndpoints
{
    private const string ApiKeyHeader = "X-Api-Key";
    private const string ApiKeyScheme = "ApiKey";

    /// <summary>Maps the partner HLS routes: leave them anonymous (the API key is checked here, per request).</summary>
    public static RouteGroupBuilder MapPartnerHls(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/partner/hls/{cameraId}").WithTags("Sharing");
        group.MapGet("/index.m3u8", PlaylistAsync).WithName("PartnerHlsPlaylist")
            .WithSummary("A shared camera's live HLS playlist for a partner system (API key in X-Api-Key or Authorization: ApiKey).");
        group.MapGet("/init.mp4", InitAsync).WithName("PartnerHlsInit");
        group.MapGet("/{sequence:long}.m4s", SegmentAsync).WithName("PartnerHlsSegment");
        return group;
    }

    private static async Task<IResult> PlaylistAsync(
        string cameraId, HttpContext http, ISharingPolicy policy, ICameraDirectory cameras, PartnerHlsReaders readers, IAuditLog audit, ICameraOwners owners)
    {
        var (login, refused) = await AuthenticateAsync(http, cameraId, policy, audit);
        if (login is null)
        {
            return refused!;
        }

        var remote = http.Connection.RemoteIpAddress?.ToString();
        var decision = await policy.DecideAsync(login, cameraId, SharingProtocols.Hls, http.RequestAborted);
        var camera = decision.Allowed ? await cameras.FindAsync(cameraId, http.RequestAborted) : null;
        if (camera is not null && (camera.Mode == CameraMode.RecordedOnly || string.IsNullOrEmpty(camera.RtspUrl)))
        {
            decision = AccessDecision.Conflict($"camera '{cameraId}' has no live stream to share");
        }

        if (!decision.Allowed || camera is null)
        {
            return await RefuseAsync(http, audit, login, cameraId, decision.StatusCode == 404 ? 404 : 403, decision.Reason);
        }

        if (await ToOwnerAsync(http, owners, cameraId) is { } moved)
        {
            return moved;
        }

        PartnerHlsReader reader;
        try
        {
            reader = await readers.OpenAsync(login, camera, remote, decision.Reason);
        }
        catch (MaskUnavailableException e)
        {
            return await RefuseAsync(http, audit, login, cameraId, 403, e.Message);
        }
        catch (InvalidOperationException e)
        {
            http.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: 503, title: "No video yet", detail: e.Message);
        }

        return await LiveHls.PlaylistAsync(reader.Lease.Path, reader.Session, "", http);
    }

    private static async Task<IResult> InitAsync(string cameraId, HttpContext http, ISharingPolicy policy, PartnerHlsReaders readers, IAuditLog audit, ICameraOwners owners)
    {
        var (reader, refused) = await OpenReaderAsync(http, cameraId, policy, readers, audit, owners);
        if (reader is null)
        {
            return refused!;
        }

        return LiveHls.Init(reader.Lease.Path, reader.Session);
    }

    private static async Task<IResult> SegmentAsync(
        string cameraId, long sequence, HttpContext http, ISharingPolicy policy, PartnerHlsReaders readers, IAuditLog audit, ICameraOwners owners)
    {
        var (reader, refused) = await OpenReaderAsync(http, cameraId, policy, readers, audit, owners);
        if (reader is null)
        {
            return refused!;
        }

        return LiveHls.Segment(reader.Lease.Path, sequence, reader.Session);
    }

    /// <summary>Init and segments: the key must be valid and its session (opened by the playlist, checked every 2 s) still open.</summary>
    private static async Task<(PartnerHlsReader? Reader, IResult? Refused)> OpenReaderAsync(
        HttpContext http, string cameraId, ISharingPolicy policy, PartnerHlsReaders readers, IAuditLog audit, ICameraOwners owners)
    {
        var (login, refused) = await AuthenticateAsync(http, cameraId, policy, audit);
        if (login is null)
        {
            return (null, refused);
        }

        if (readers.Find(login, cameraId, http.Connection.RemoteIpAddress?.ToString()) is null && await ToOwnerAsync(http, owners, cameraId) is { } moved)
        {
            return (null, moved);
        }

        var reader = readers.Find(login, cameraId, http.Connection.RemoteIpAddress?.ToString());
        return reader is not null
            ? (reader, null)
            : (null, await RefuseAsync(http, audit, login, cameraId, 403, $"no open HLS session of partner '{login.PartnerId}' for camera '{cameraId}' (ended, or index.m3u8 not requested first)"));
    }

    /// <summary>
    /// A camera another node holds (issue #17): 307 to the same request on the owner's public URL, so the player's
    /// session (and its reader of the one upstream) is the owner's; 503 while no node holds it; null when this node does.
    /// </summary>
    private static async Task<IResult?> ToOwnerAsync(HttpContext http, ICameraOwners owners, string cameraId)
    {
        var owner = await owners.OwnerOfAsync(cameraId, http.RequestAborted);
        if (owner is { IsLocal: true })
        {
            return null;
        }

        if (Live.LiveEndpoints.OwnerBase(owner) is not { } target)
        {
            return Live.LiveEndpoints.Unavailable(http, cameraId, owner);
        }

        var request = http.Request;
        return Results.Redirect($"{target.AbsoluteUri.TrimEnd('/')}{request.Path}{request.QueryString}", permanent: false, preserveMethod: true);
    }

    private static async Task<(PartnerLogin? Login, IResult? Refused)> AuthenticateAsync(HttpContext http, string cameraId, ISharingPolicy policy, IAuditLog audit)
    {
        var key = ApiKeyOf(http.Request);
        var login = key is null ? null : await policy.FindApiKeyLoginAsync(key, http.RequestAborted);
        if (login is not null)
        {
            return (login, null);
        }

        var reason = key is null ? "no API key (send X-Api-Key or Authorization: ApiKey …)" : "unknown or revoked API key";
        await audit.AppendAsync(new AuditEvent(
            AuditAction.AccessDenied, AuditOutcome.Denied, "partner:unknown", cameraId, "partner sharing", http.Connection.RemoteIpAddress?.ToString(),
            $"HLS {http.Request.Path}: {reason}", "partner", null), CancellationToken.None);
        http.Response.Headers.WWWAuthenticate = ApiKeyScheme;
        return (null, Results.Problem(statusCode: 401, title: "Partner API key refused", detail: reason));
    }

    private static async Task<IResult> RefuseAsync(HttpContext http, IAuditLog audit, PartnerLogin login, string cameraId, int status, string reason)
    {
        await audit.AppendAsync(new AuditEvent(
            AuditAction.AccessDenied, AuditOutcome.Denied, PartnerSessions.ActorOf(login.PartnerId), cameraId, "partner sharing",
            http.Connection.RemoteIpAddress?.ToString(), $"HLS {http.Request.Path}: {reason}", "partner", login.PartnerId), CancellationToken.None);
        return Results.Problem(statusCode: status, title: "Partner stream refused", detail: reason);
    }

    /// <summary>The key from <c>X-Api-Key</c>, or from <c>Authorization: ApiKey KEY</c>; never from the query string.</summary>
    internal static string? ApiKeyOf(HttpRequest request)
    {
        if (request.Headers[ApiKeyHeader].ToString() is { Length: > 0 } header)
        {
            return header.Trim();
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(ApiKeyScheme + " ", StringComparison.OrdinalIgnoreCase) && authorization.Length > ApiKeyScheme.Length + 1
            ? authorization[(ApiKeyScheme.Length + 1)..].Trim()
            : null;
    }
}
