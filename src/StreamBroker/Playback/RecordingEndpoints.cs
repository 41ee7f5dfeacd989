using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Recording;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Playback;

/// <summary>One indexed segment in a recordings listing.</summary>
public sealed record SegmentView(long Id, DateTimeOffset Start, DateTimeOffset End, long Bytes);

/// <summary>A stretch of the window without footage; <see cref="Reason"/> says why when it is known.</summary>
public sealed record GapView(DateTimeOffset From, DateTimeOffset To, string? Reason);

/// <summary>Answer of GET /api/cameras/{id}/recordings.</summary>
public sealed record RecordingsResponse(string CameraId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<SegmentView> Segments, IReadOnlyList<GapView> Gaps);

/// <summary>Body of POST /api/cameras/{id}/playback.</summary>
public sealed record PlaybackRequest(DateTimeOffset From, DateTimeOffset To);

/// <summary>Answer of POST /api/cameras/{id}/playback.</summary>
/// <remarks><c>Masked</c>: the session plays the masked picture (a console marks it); <c>UnmaskedUntil</c>: set when it plays a masked camera's original under a mask lift, when the lift ends.</remarks>
public sealed record PlaybackSessionResponse(
    string SessionId, string WebSocketUrl, string HlsUrl, DateTimeOffset ExpiresAt, int Segments, bool Masked = false, DateTimeOffset? UnmaskedUntil = null);

/// <summary>Recordings listing and playback: opening (policy), streams (session token).</summary>
public static class RecordingEndpoints
{
    /// <summary>The policy-authorised routes: listing and opening playback (require authentication on them).</summary>
    public static RouteGroupBuilder MapRecordingQueries(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/cameras/{id}").WithTags("Recordings");
        group.MapGet("/recordings", ListAsync).WithName("ListRecordings")
            .Produces<RecordingsResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/playback", OpenAsync).WithName("OpenPlayback")
            .Produces<PlaybackSessionResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    /// <summary>The playback streams, authorised by the session token in the URL (leave them anonymous).</summary>
    public static RouteGroupBuilder MapPlaybackStreams(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/playback/{sessionId}").WithTags("Recordings");
        group.MapGet("/ws", WebSocketAsync).WithName("PlaybackWebSocket");
        // The token sits in the path so relative segment URIs keep it (players drop query strings on segments).
        group.MapGet("/hls/{token}/index.m3u8", PlaylistAsync).WithName("PlaybackHlsPlaylist");
        // A masked session's own encode: its init and segments as ffmpeg's HLS muxer named them.
        group.MapGet("/hls/{token}/m/{name}", async (HttpContext http, string sessionId, string token, string name, PlaybackOpener opener, MaskedPlayback masked, CancellationToken ct) =>
            await opener.FindAsync(sessionId, token, AccessGate.RemoteAddress(http), ct) is { Feed.IsMasked: true } session
                ? await MaskedPlaybackStreams.FileAsync(session, name, masked, ct)
                : Results.Problem(statusCode: 404, title: "Playback refused", detail: "no such masked playback session, or its token expired"));
        group.MapGet("/hls/{token}/{segmentId:long}/init.mp4", (HttpContext http, string sessionId, string token, long segmentId, PlaybackOpener opener, IOptions<RecordingOptions> options, CancellationToken ct) =>
            PartAsync(http, sessionId, token, segmentId, init: true, opener, options, ct));
        group.MapGet("/hls/{token}/{segmentId:long}/media.m4s", (HttpContext http, string sessionId, string token, long segmentId, PlaybackOpener opener, IOptions<RecordingOptions> options, CancellationToken ct) =>
            PartAsync(http, sessionId, token, segmentId, init: false, opener, options, ct));
        return group;
    }

    private static async Task<IResult> ListAsync(
        string id, DateTimeOffset? from, DateTimeOffset? to, HttpContext http, AccessGate gate, SegmentIndex index, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        if (await gate.RefuseUnlessAsync(http, CameraRight.Playback, id, ct) is { } refused)
        {
            return refused;
        }

        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddDays(-1);
        if (end <= start)
        {
            return Results.Problem(statusCode: 400, title: "Bad window", detail: "to must be after from (ISO 8601 UTC times)");
        }

        var rows = await index.InWindowAsync(id, start, end, ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.RecordingsListed, AuditOutcome.Allowed, AccessGate.Actor(http), id, "playback",
            AccessGate.RemoteAddress(http), string.Create(CultureInfo.InvariantCulture, $"{start:O}..{end:O}: {rows.Count} segment(s)")), ct);
        return Results.Ok(new RecordingsResponse(id, start, end,
            [.. rows.Where(r => r.State == SegmentState.Complete).Select(r => new SegmentView(r.Id, r.Start, r.End, r.Bytes))],
            Gaps(rows, start, end)));
    }

    /// <summary>
    /// The stretches of [from, to) covered by no complete segment. Rows whose file went missing count as gaps with that
    /// reason, and a gap between segments written by two nodes is the camera moving between them (a node died, drained or
    /// joined: issue #17); jitter under half a second between consecutive segments is not a gap.
    /// </summary>
    public static IReadOnlyList<GapView> Gaps(IReadOnlyList<RecordingSegment> rows, DateTimeOffset from, DateTimeOffset to)
    {
        var tolerance = TimeSpan.FromMilliseconds(500);
        var gaps = new List<GapView>();
        var cursor = from;
        // The last node known to have written before the cursor: a segment recovered after its writer died names none.
        string? writtenBy = null;
        foreach (var row in rows.OrderBy(r => r.StartUtcTicks))
        {
            if (row.State == SegmentState.Missing)
            {
                continue;
            }

            if (row.Start - cursor > tolerance)
            {
                var missing = rows.Any(m => m.State == SegmentState.Missing && m.Start < row.Start && m.End > cursor);
                gaps.Add(new GapView(cursor, row.Start, missing ? "footage file missing" : MovedBetweenNodes(writtenBy, row.Node)));
            }

            if (row.End > cursor)
            {
                cursor = row.End;
                writtenBy = row.Node ?? writtenBy;
            }
        }

        if (to - cursor > tolerance)
        {
            var missing = rows.Any(m => m.State == SegmentState.Missing && m.End > cursor);
            gaps.Add(new GapView(cursor, to, missing ? "footage file missing" : null));
        }

        return gaps;
    }

    private static string? MovedBetweenNodes(string? from, string? to) =>
        from is not null && to is not null && from != to
            ? $"recording moved from node {from} to node {to} (the camera changed owner)"
            : null;

    private static async Task<IResult> OpenAsync(
        string id, PlaybackRequest request, HttpContext http, AccessGate gate, PlaybackOpener opener, PlaybackSessions sessions, ICameraOwners owners,
        CancellationToken ct)
    {
        var actor = AccessGate.Actor(http);
        var decided = await opener.DecideAsync(http.User, actor, id, request.From, request.To, ct);
        if (!decided.Decision.Allowed)
        {
            return await gate.RefuseAsync(http, decided.Decision, CameraRight.Playback, id, null, ct);
        }

        var feed = decided.Feed!;
        var r = http.Request;
        // The camera's owner serves its playback (issue #17); the footage is on storage every node mounts, so while no
        // node holds the camera (or it is this one) this node serves it.
        if (LiveEndpoints.OwnerBase(await owners.OwnerOfAsync(id, ct)) is { } owner)
        {
            var (handedId, token, expires) = sessions.Hand(http.User, id, actor, request.From, request.To, feed);
            var handedBase = $"{owner.AbsoluteUri.TrimEnd('/')}/api/playback/{handedId}";
            var handedHls = $"{handedBase}/hls/{token}/index.m3u8";
            return Results.Created(handedHls, new PlaybackSessionResponse(handedId,
                $"{(owner.Scheme == "https" ? "wss" : "ws")}{handedBase[owner.Scheme.Length..]}/ws?token={token}", handedHls, expires, decided.Segments.Count,
                feed.IsMasked, feed.LiftId is null ? null : feed.Until));
        }

        var session = sessions.Create(http.User, id, actor, request.From, request.To, decided.Segments, feed);
        await opener.AuditStartAsync(session, decided, AccessGate.RemoteAddress(http), null, ct);
        var baseUrl = $"{r.PathBase}/api/playback/{session.Id}";
        var hls = $"{r.Scheme}://{r.Host}{baseUrl}/hls/{session.Token}/index.m3u8";
        return Results.Created(hls, new PlaybackSessionResponse(session.Id,
            $"{(r.IsHttps ? "wss" : "ws")}://{r.Host}{baseUrl}/ws?token={session.Token}", hls, session.TokenExpiresAt, decided.Segments.Count,
            feed.IsMasked, feed.LiftId is null ? null : feed.Until));
    }

    /// <summary>An HLS VOD playlist (seekable by nature): per segment its own init (a reconnection may change it) and media.</summary>
    private static async Task<IResult> PlaylistAsync(
        HttpContext http, string sessionId, string token, PlaybackOpener opener, MaskedPlayback masked, TimeProvider time, CancellationToken ct)
    {
        if (await opener.FindAsync(sessionId, token, AccessGate.RemoteAddress(http), ct) is not { } session)
        {
            return Results.Problem(statusCode: 404, title: "Playback refused", detail: "no such playback session, or its token expired; open a new one");
        }

        if (session.Feed.IsMasked)
        {
            return await MaskedPlaybackStreams.PlaylistAsync(session, masked, time, ct);
        }

        var target = (int)Math.Ceiling(session.Segments.Max(s => (s.End - s.Start).TotalSeconds));
        var text = new StringBuilder()
            .Append("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n")
            .Append(CultureInfo.InvariantCulture, $"#EXT-X-TARGETDURATION:{Math.Max(1, target)}\n#EXT-X-MEDIA-SEQUENCE:0\n");
        RecordingSegment? previous = null;
        foreach (var s in session.Segments)
        {
            if (previous is not null)
            {
                // Each file starts over with its own init: tell the player timestamps may jump (a gap, a reconnection).
                text.Append("#EXT-X-DISCONTINUITY\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"#EXT-X-PROGRAM-DATE-TIME:{s.Start.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\n")
                .Append(CultureInfo.InvariantCulture, $"#EXT-X-MAP:URI=\"{s.Id}/init.mp4\"\n")
                .Append(CultureInfo.InvariantCulture, $"#EXTINF:{(s.End - s.Start).TotalSeconds:0.000},\n{s.Id}/media.m4s\n");
            previous = s;
        }

        text.Append("#EXT-X-ENDLIST\n");
        return Results.Text(text.ToString(), "application/vnd.apple.mpegurl");
    }

    private static async Task<IResult> PartAsync(
        HttpContext http, string sessionId, string token, long segmentId, bool init, PlaybackOpener opener, IOptions<RecordingOptions> options, CancellationToken ct)
    {
        // A masked session never serves a recorded file as it is.
        if (await opener.FindAsync(sessionId, token, AccessGate.RemoteAddress(http), ct) is not { Feed.IsMasked: false } session || session.Segments.FirstOrDefault(s => s.Id == segmentId) is not { } segment)
        {
            return Results.Problem(statusCode: 404, title: "Playback refused", detail: "no such segment in this playback session, or its token expired");
        }

        var path = Path.Combine(options.Value.StorageRoot, segment.Path);
        if (!File.Exists(path))
        {
            // Deleted by retention after the session opened, or lost: the player skips it as it would a gap.
            return Results.Problem(statusCode: 410, title: "Footage gone", detail: "this segment was deleted after the playback session opened");
        }

        var contents = await SegmentFiles.ReadAsync(path, ct);
        if (contents is null)
        {
            return Results.Problem(statusCode: 410, title: "Footage unreadable", detail: "this segment file holds no playable fragment");
        }

        if (init)
        {
            return Results.Bytes(contents.Init.Data, "video/mp4");
        }

        var media = new byte[contents.Fragments.Sum(f => f.Data.Length)];
        var offset = 0;
        foreach (var f in contents.Fragments)
        {
            f.Data.CopyTo(media, offset);
            offset += f.Data.Length;
        }

        return Results.Bytes(media, "video/iso.segment");
    }

    /// <summary>
    /// fMP4 over a WebSocket, as live: a text "reset" with the codec, the init, then fragments; <c>offset</c> (seconds
    /// from the window's first segment) seeks to the keyframe at or before it. Paced at real time so a player's buffer
    /// stays small; ends with a text "ended" message.
    /// </summary>
    private static async Task WebSocketAsync(
        HttpContext http, string sessionId, string? token, double? offset, PlaybackSessions sessions, PlaybackOpener opener, IAuditLog audit,
        IOptions<RecordingOptions> options, MaskedPlayback masked, TimeProvider time)
    {
        if (await opener.FindAsync(sessionId, token, AccessGate.RemoteAddress(http), http.RequestAborted) is not { } session)
        {
            await Results.Problem(statusCode: 404, title: "Playback refused", detail: "no such playback session, or its token expired").ExecuteAsync(http);
            return;
        }

        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: 400, detail: "this URL is a WebSocket; connect with new WebSocket(url)").ExecuteAsync(http);
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var ct = http.RequestAborted;
        long bytes = 0;
        var seekTo = session.Segments[0].Start + TimeSpan.FromSeconds(Math.Max(0, offset ?? 0));
        var clock = time.GetTimestamp();
        var sent = TimeSpan.Zero;
        try
        {
            if (session.Feed.IsMasked)
            {
                bytes = await MaskedPlaybackStreams.SendAsync(socket, session, seekTo, masked, time, ct);
            }

            foreach (var segment in session.Segments.Where(s => !session.Feed.IsMasked && s.End > seekTo))
            {
                var path = Path.Combine(options.Value.StorageRoot, segment.Path);
                if (!File.Exists(path) || await SegmentFiles.ReadAsync(path, ct) is not { } contents)
                {
                    continue;
                }

                var reset = Encoding.UTF8.GetBytes($$"""{"type":"reset","codec":"{{contents.Init.Codec}}","start":"{{segment.Start:O}}"}""");
                await socket.SendAsync(reset, WebSocketMessageType.Text, true, ct);
                await socket.SendAsync(contents.Init.Data, WebSocketMessageType.Binary, true, ct);
                var position = segment.Start;
                var started = false;
                foreach (var f in contents.Fragments)
                {
                    var length = TimeSpan.FromSeconds(f.Duration / (double)contents.Init.Timescale);
                    // Start at the keyframe at or before the seek point: the player needs it to decode.
                    var next = position + length;
                    if (!started && (!f.Keyframe || NextKeyframeStartsBefore(contents, f, position, seekTo)))
                    {
                        position = next;
                        continue;
                    }

                    if (!sessions.StillShown(session))
                    {
                        // The mask lift this unmasked playback ran under expired or was ended.
                        return;
                    }

                    started = true;
                    await socket.SendAsync(f.Data, WebSocketMessageType.Binary, true, ct);
                    bytes += f.Data.Length;
                    sent += length;
                    position = next;
                    var ahead = sent - time.GetElapsedTime(clock);
                    if (ahead > TimeSpan.FromSeconds(2))
                    {
                        await Task.Delay(ahead - TimeSpan.FromSeconds(1), time, ct);
                    }
                }
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"ended","reason":"end of the playback window"}"""), WebSocketMessageType.Text, true, ct);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "end of window", ct);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // the viewer left
        }
        finally
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.PlaybackEnded, AuditOutcome.Allowed, session.Actor, session.CameraId, "playback",
                AccessGate.RemoteAddress(http), string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes sent over WebSocket"), "PlaybackSession", session.Id),
                CancellationToken.None);
        }
    }

    /// <summary>Whether a later keyframe of this segment still lies at or before the seek point (then start there instead).</summary>
    private static bool NextKeyframeStartsBefore(SegmentFiles.Contents contents, Live.Fragment current, DateTimeOffset currentStart, DateTimeOffset seekTo)
    {
        var position = currentStart;
        var passed = false;
        foreach (var f in contents.Fragments)
        {
            if (passed && f.Keyframe && position <= seekTo)
            {
                return true;
            }

            if (ReferenceEquals(f, current))
            {
                passed = true;
            }

            if (passed)
            {
                position += TimeSpan.FromSeconds(f.Duration / (double)contents.Init.Timescale);
            }
        }

        return false;
    }
}
