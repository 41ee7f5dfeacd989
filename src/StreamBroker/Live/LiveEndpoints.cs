using System.Net.WebSockets;
using System.Text;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Masked;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Live;

/// <summary>Answer of POST /api/cameras/{id}/live.</summary>
/// <remarks><c>Masked</c>: the session reads the camera's masked picture (a console marks it); <c>UnmaskedUntil</c>: set when it shows a masked camera's original under a mask lift, when the lift ends.</remarks>
public sealed record LiveSessionResponse(
    string SessionId, string WebSocketUrl, string HlsUrl, DateTimeOffset ExpiresAt, DateTimeOffset? EndsAt, bool Masked = false, DateTimeOffset? UnmaskedUntil = null);

/// <summary>One camera's live state for GET /api/live/status and GET /api/cameras/{id}/viewers.</summary>
public sealed record CameraLiveStatus(
    string CameraId, CameraLiveState State, string? Reason, DateTimeOffset? Since, int Viewers, long DroppedFragments, double BitrateKbps);

/// <summary>Live routes: opening a session (policy), the WebSocket and HLS streams (session token), live status.</summary>
public static class LiveEndpoints
{
    /// <summary>POST /api/cameras/{id}/live, authorised by the policy with the caller's identity.</summary>
    public static RouteHandlerBuilder MapOpenLiveSession(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/api/cameras/{id}/live", OpenAsync)
            .WithName("OpenLiveSession")
            .WithTags("Live")
            .Produces<LiveSessionResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>The WebSocket and HLS streams, authorised by the session token in the URL.</summary>
    public static RouteGroupBuilder MapLiveStreams(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/live/{sessionId}").WithTags("Live");
        group.MapGet("/ws", WebSocketAsync).WithName("LiveWebSocket");
        group.MapGet("/hls/index.m3u8", (HttpContext http, string sessionId, string? token, LiveSessions sessions, IAuditLog audit) =>
            PlaylistAsync(http, sessionId, token, tokenInPath: false, sessions, audit)).WithName("LiveHlsPlaylist");
        // Segment URIs carry the token in the path, not a query string: players (ffmpeg's HLS demuxer among them)
        // check segment file extensions and reject "seg.m4s?token=…".
        group.MapGet("/hls/{token}/index.m3u8", (HttpContext http, string sessionId, string token, LiveSessions sessions, IAuditLog audit) =>
            PlaylistAsync(http, sessionId, token, tokenInPath: true, sessions, audit));
        group.MapGet("/hls/{token}/init.mp4", InitAsync);
        group.MapGet("/hls/{token}/{sequence:long}.m4s", SegmentAsync);
        return group;
    }

    /// <summary>GET /api/live/status and GET /api/cameras/{id}/viewers.</summary>
    public static RouteGroupBuilder MapLiveStatus(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Live");
        group.MapGet("/live/status", async (HttpContext http, PathManager paths, IAccessPolicy policy, CancellationToken ct) =>
        {
            // Only the cameras the caller has business with: which cameras are in use is not everybody's to know.
            var visible = new List<CameraLiveStatus>();
            foreach (var path in paths.Paths)
            {
                if (await CameraFollowers.MayFollowAsync(policy, http.User, path.Camera.Id, ct))
                {
                    visible.Add(StatusOf(path));
                }
            }

            return visible;
        }).WithName("LiveStatus");
        group.MapGet("/cameras/{id}/viewers", async (string id, HttpContext http, PathManager paths, IAccessPolicy policy, CancellationToken ct) =>
            !await CameraFollowers.MayFollowAsync(policy, http.User, id, ct)
                ? Results.Problem(statusCode: 404, title: "Not found", detail: $"no camera '{id}' of yours")
                : Results.Ok(paths.Find(id) is { } path ? StatusOf(path) : new CameraLiveStatus(id, CameraLiveState.Idle, null, null, 0, 0, 0)))
            .WithName("CameraViewers");
        CameraMasks.CameraMaskEndpoints.MapMaskSite(group);
        return group;
    }

    private static CameraLiveStatus StatusOf(CameraPath path) =>
        new(path.Camera.Id, path.Status.State, path.Status.Reason, path.Status.Since, path.ViewerCount, path.DroppedFragments, Math.Round(path.BitrateKbps, 1));

    private static async Task<IResult> OpenAsync(
        string id, HttpContext http, IAccessPolicy policy, AccessGate gate, IAuditLog audit, ICameraDirectory directory, LiveSessions sessions,
        MaskedFeeds feeds, IPictureFeeds pictures, ICameraOwners owners, CancellationToken ct)
    {
        var user = http.User;
        var name = AccessGate.Actor(http);
        var remote = AccessGate.RemoteAddress(http);
        var decision = await policy.DecideAsync(user, CameraRight.Live, id, ct);
        var camera = decision.Allowed ? await directory.FindAsync(id, ct) : null;
        if (decision.Allowed)
        {
            // The broker enforces the camera's own rules too, whatever a policy answered (DESIGN.md 4.1).
            decision = camera switch
            {
                null => AccessDecision.NotFound($"camera {id} does not exist"),
                { Mode: CameraMode.RecordedOnly } => AccessDecision.Conflict($"camera {id} is recorded only; it is never shown live"),
                { RtspUrl: null or "" } => AccessDecision.Conflict($"camera {id} has no RTSP address in the registry"),
                _ => decision,
            };
        }

        var feed = camera is null ? null : await pictures.LiveAsync(name, camera, ct);
        if (decision.Allowed && camera is not null && feed!.IsMasked)
        {
            // Refuse now, with the reason, rather than open a session whose picture can never come.
            decision = await CheckMaskAsync(feeds, camera, ct) ?? decision;
        }

        if (!decision.Allowed || camera is null)
        {
            return await gate.RefuseAsync(http, decision, CameraRight.Live, id, null, ct);
        }

        // Only the camera's owner pulls it (issue #17): a camera held elsewhere gets a token that node opens.
        var owner = await owners.OwnerOfAsync(id, ct);
        if (owner is not { IsLocal: true })
        {
            if (OwnerBase(owner) is not { } ownerBase)
            {
                return Unavailable(http, id, owner);
            }

            var handed = sessions.Hand(user, camera, remote, feed!, decision.Until);
            var handedBase = $"{ownerBase.AbsoluteUri.TrimEnd('/')}/api/live/{handed.Id}";
            var handedWs = $"{(ownerBase.Scheme == "https" ? "wss" : "ws")}{handedBase[ownerBase.Scheme.Length..]}";
            return Results.Created($"{handedBase}/hls/index.m3u8", new LiveSessionResponse(
                handed.Id, $"{handedWs}/ws?token={handed.Token}", $"{handedBase}/hls/index.m3u8?token={handed.Token}", handed.TokenExpiresAt,
                null, feed!.IsMasked, feed.LiftId is null ? null : feed.Until));
        }

        var session = sessions.Create(user, camera, remote, feed, decision.Until);
        await audit.AppendAsync(new AuditEvent(AuditAction.LiveViewStarted, AuditOutcome.Allowed, name, id, "live", remote,
            $"{decision.Reason}; feed {feed!.Feed}: {feed.Reason}", "LiveSession", session.Id), ct);
        if (feed.LiftId is { } lift)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.MaskLiftStarted, AuditOutcome.Allowed, name, id, "unmask", remote,
                $"unmasked live view {session.Id} until {feed.Until:O}: {feed.Reason}", "MaskLift", lift.ToString()), ct);
        }

        var request = http.Request;
        var wsScheme = request.IsHttps ? "wss" : "ws";
        var baseUrl = $"{request.PathBase}/api/live/{session.Id}";
        return Results.Created($"{request.Scheme}://{request.Host}{baseUrl}/hls/index.m3u8", new LiveSessionResponse(
            session.Id,
            $"{wsScheme}://{request.Host}{baseUrl}/ws?token={session.Token}",
            $"{request.Scheme}://{request.Host}{baseUrl}/hls/index.m3u8?token={session.Token}",
            session.TokenExpiresAt,
            session.EndsAt,
            feed.IsMasked,
            feed.LiftId is null ? null : feed.Until));
    }

    /// <summary>The owner's advertised address when it is another node that advertises one.</summary>
    internal static Uri? OwnerBase(CameraOwner? owner) =>
        owner is { IsLocal: false, PublicUrl: { Length: > 0 } url } && Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed : null;

    /// <summary>503 for a camera no live node holds now (it is moving), or whose owner advertises no address; the client retries.</summary>
    internal static IResult Unavailable(HttpContext http, string cameraId, CameraOwner? owner)
    {
        http.Response.Headers.RetryAfter = "2";
        return Results.Problem(statusCode: 503, title: "Camera not held by any node",
            detail: owner is null
                ? $"no node of the cluster holds camera '{cameraId}' at the moment (it is moving to another node); try again in a few seconds"
                : $"camera '{cameraId}' is held by node '{owner.Node}', which advertises no public URL (CameraHub:Node:PublicUrl); try again later");
    }

    /// <summary>Null when the camera's mask can be made now; otherwise the 409 naming why not.</summary>
    internal static async Task<AccessDecision?> CheckMaskAsync(MaskedFeeds feeds, CameraSource camera, CancellationToken ct)
    {
        try
        {
            await feeds.CheckAsync(camera, ct);
            return null;
        }
        catch (MaskUnavailableException e)
        {
            return PictureFeedRule.MaskUnavailable(camera.Id, e.Message);
        }
        catch (InvalidOperationException e)
        {
            return PictureFeedRule.MaskUnavailable(camera.Id, $"camera '{camera.Id}' gave no picture to fit its mask to: {e.Message}");
        }
    }

    private static async Task<IResult> RefuseAsync(SessionOpening opening, string sessionId, HttpContext http, IAuditLog audit)
    {
        var refusal = opening.Refusal;
        var detail = refusal switch
        {
            SessionRefusal.UnknownSession => "no such live session, or it has ended; open a new one with POST /api/cameras/{id}/live",
            SessionRefusal.Expired => "the session token expired; open a new session",
            SessionRefusal.Refused or SessionRefusal.Moved => opening.Reason ?? "refused",
            _ => "the token does not belong to this session",
        };
        if (refusal == SessionRefusal.Moved)
        {
            http.Response.Headers.RetryAfter = "1";
        }

        if (refusal == SessionRefusal.BadToken)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.AccessDenied, AuditOutcome.Denied, "anonymous", null, "live",
                http.Connection.RemoteIpAddress?.ToString(), detail, "LiveSession", sessionId), http.RequestAborted);
        }

        var status = refusal switch
        {
            SessionRefusal.UnknownSession => 404,
            SessionRefusal.Refused => 403,
            SessionRefusal.Moved => 503,
            _ => 401,
        };
        return Results.Problem(statusCode: status, title: "Live stream refused", detail: detail);
    }

    private static async Task WebSocketAsync(
        HttpContext http, string sessionId, string? token, LiveSessions sessions, IAuditLog audit,
        IOptions<BrokerOptions> options, TimeProvider time)
    {
        var opening = await sessions.OpenAsync(sessionId, token, hls: false, AccessGate.RemoteAddress(http), http.RequestAborted);
        if (opening is not { Refusal: SessionRefusal.None, Session: { } session })
        {
            await (await RefuseAsync(opening, sessionId, http, audit)).ExecuteAsync(http);
            return;
        }

        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: 400, detail: "this URL is a WebSocket; connect with new WebSocket(url)").ExecuteAsync(http);
            return;
        }

        var viewer = new Viewer(session.Id, options.Value.ViewerQueueLength, time, options.Value.SlowViewerTimeout);
        lock (session.Gate)
        {
            if (session.WebSocket is not null)
            {
                viewer = null;
            }
            else
            {
                session.WebSocket = sessions.Attach(session, viewer);
            }
        }

        if (viewer is null)
        {
            await Results.Problem(statusCode: 409, detail: "this session already has an open WebSocket").ExecuteAsync(http);
            return;
        }

        await using var lease = session.WebSocket!;
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        // A viewer ended by the broker (too slow, revoked) is told why and closed; one stuck in SendAsync is aborted.
        using var abort = viewer.Ended.Register(() => _ = AbortUnlessClosedAsync(socket, time));
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var receive = ReceiveUntilCloseAsync(socket, closed);
        try
        {
            await foreach (var message in viewer.Reader.ReadAllAsync(closed.Token))
            {
                if (viewer.EndReason is not null)
                {
                    break;
                }

                if (message.Control is { } json)
                {
                    var bytes = Encoding.UTF8.GetBytes(json);
                    await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
                    session.AddBytes(bytes.Length);
                }
                else
                {
                    await socket.SendAsync(message.Media, WebSocketMessageType.Binary, true, CancellationToken.None);
                    session.AddBytes(message.Media.Length);
                }
            }

            if (viewer.EndReason is { } reason && socket.State == WebSocketState.Open)
            {
                var ended = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { type = "ended", reason, revoked = viewer.EndedByRevocation }));
                await socket.SendAsync(ended, WebSocketMessageType.Text, true, CancellationToken.None);
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, Truncate(reason), CancellationToken.None);
                // Let the client answer the close: cancelling the receive would abort the socket and could lose
                // the "ended" message still in flight.
                await receive.WaitAsync(TimeSpan.FromSeconds(2), time, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or TimeoutException)
        {
            // the viewer left or was aborted
        }
        finally
        {
            await closed.CancelAsync();
            if (socket.State == WebSocketState.CloseReceived)
            {
                await AnswerCloseAsync(socket, time);
            }

            await receive;
            await sessions.EndAsync(session, viewer.EndReason ?? "viewer closed the stream", revoked: false, byBroker: false);
        }
    }

    /// <summary>Completes the close handshake the viewer started (a page closing, a player stopping).</summary>
    private static async Task AnswerCloseAsync(WebSocket socket, TimeProvider time)
    {
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), time);
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // the viewer is gone already
        }
    }

    private static async Task AbortUnlessClosedAsync(WebSocket socket, TimeProvider time)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), time);
        try
        {
            if (socket.State != WebSocketState.Closed)
            {
                socket.Abort();
            }
        }
        catch (ObjectDisposedException)
        {
            // the handler already finished with it
        }
    }

    /// <summary>Close frames are control traffic the socket must read; the viewer sends nothing else.</summary>
    private static async Task ReceiveUntilCloseAsync(WebSocket socket, CancellationTokenSource closed)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, closed.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }

        await closed.CancelAsync();
    }

    /// <summary>Close reasons are limited to 123 bytes by RFC 6455.</summary>
    private static string Truncate(string reason) => reason.Length <= 120 ? reason : reason[..120];

    private static async Task<IResult> PlaylistAsync(HttpContext http, string sessionId, string? token, bool tokenInPath, LiveSessions sessions, IAuditLog audit)
    {
        var opening = await sessions.OpenAsync(sessionId, token, hls: true, AccessGate.RemoteAddress(http), http.RequestAborted);
        if (opening is not { Refusal: SessionRefusal.None, Session: { } session })
        {
            return await RefuseAsync(opening, sessionId, http, audit);
        }

        return await LiveHls.PlaylistAsync(sessions.EnsureHls(session).Path, session, tokenInPath ? "" : $"{token}/", http);
    }

    private static async Task<IResult> InitAsync(HttpContext http, string sessionId, string token, LiveSessions sessions, IAuditLog audit)
    {
        var opening = await sessions.OpenAsync(sessionId, token, hls: true, AccessGate.RemoteAddress(http), http.RequestAborted);
        if (opening is not { Refusal: SessionRefusal.None, Session: { } session })
        {
            return await RefuseAsync(opening, sessionId, http, audit);
        }

        return LiveHls.Init(sessions.EnsureHls(session).Path, session);
    }

    private static async Task<IResult> SegmentAsync(HttpContext http, string sessionId, string token, long sequence, LiveSessions sessions, IAuditLog audit)
    {
        var opening = await sessions.OpenAsync(sessionId, token, hls: true, AccessGate.RemoteAddress(http), http.RequestAborted);
        if (opening is not { Refusal: SessionRefusal.None, Session: { } session })
        {
            return await RefuseAsync(opening, sessionId, http, audit);
        }

        return LiveHls.Segment(sessions.EnsureHls(session).Path, sequence, session);
    }
}
