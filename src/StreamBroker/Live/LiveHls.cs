using System.Globalization;
using System.Text;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Sessions;
using Microsoft.AspNetCore.Http;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// A path's live HLS window as every HLS reader gets it, people's sessions and partner systems alike, once the caller
/// has been let in: the playlist, the init segment and the keyframe-interval segments, each counted to the session.
/// </summary>
internal static class LiveHls
{
    /// <summary>The playlist (segment URIs under <paramref name="prefix"/>), or 503 with the camera's state while there is no video yet.</summary>
    public static async Task<IResult> PlaylistAsync(CameraPath path, StreamSession session, string prefix, HttpContext http)
    {
        await WaitForSegmentsAsync(path, http.RequestAborted);
        var playlist = path.Read(b => BuildPlaylist(b, prefix));
        if (playlist is null)
        {
            var status = path.Status;
            http.Response.Headers.RetryAfter = "2";
            return Results.Problem(statusCode: 503, title: "No video yet",
                detail: $"camera {path.Camera.Id} is {status.State.ToString().ToLowerInvariant()}{(status.Reason is null ? "" : $": {status.Reason}")}");
        }

        session.AddBytes(playlist.Length);
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Text(playlist, "application/vnd.apple.mpegurl", Encoding.UTF8);
    }

    public static IResult Init(CameraPath path, StreamSession session)
    {
        var init = path.Read(b => b.Init);
        if (init is null)
        {
            return Results.Problem(statusCode: 503, detail: "no video from the camera yet");
        }

        session.AddBytes(init.Data.Length);
        return Results.Bytes(init.Data, "video/mp4");
    }

    public static IResult Segment(CameraPath path, long sequence, StreamSession session)
    {
        var segment = path.Read(b => b.Segments.FirstOrDefault(s => s.Sequence == sequence));
        if (segment is null)
        {
            return Results.Problem(statusCode: 404, detail: $"segment {sequence} is no longer (or not yet) in the live window; reload the playlist");
        }

        session.AddBytes(segment.Data.Length);
        return Results.Bytes(segment.Data, "video/iso.segment");
    }

    /// <summary>How long, in one-second looks, the first playlist request of a fresh path is held for its first two keyframe intervals.</summary>
    private const int FirstSegmentsWaitSeconds = 30;

    /// <summary>
    /// A fresh path has no complete keyframe interval yet: holds the first request until two exist, for at most
    /// <see cref="FirstSegmentsWaitSeconds"/> in all (a masked feed's encoder on a busy node can take more than one
    /// interval to start, and a 503 then makes players give up on a camera about to play), or until the upstream is
    /// offline (then the 503 names the cause at once).
    /// </summary>
    private static async Task WaitForSegmentsAsync(CameraPath path, CancellationToken ct)
    {
        for (var i = 0; i < FirstSegmentsWaitSeconds && path.Status.State != CameraLiveState.Offline; i++)
        {
            var waitFor = path.Read(b => b.Segments.Count >= 2 ? null : b.SegmentAdded);
            if (waitFor is null)
            {
                return;
            }

            try
            {
                await waitFor.WaitAsync(TimeSpan.FromSeconds(1), ct);
            }
            catch (TimeoutException)
            {
                // Look at the upstream's state again, then keep waiting.
            }
        }
    }

    /// <summary>A live HLS playlist (EXT-X-MAP init, one segment per keyframe interval); null until there is video.</summary>
    private static string? BuildPlaylist(FragmentBuffer buffer, string prefix)
    {
        if (buffer.Init is null || buffer.Segments.Count == 0)
        {
            return null;
        }

        var segments = buffer.Segments.ToList();
        var target = (int)Math.Ceiling(segments.Max(s => s.Seconds));
        var text = new StringBuilder();
        text.Append("#EXTM3U\n#EXT-X-VERSION:7\n")
            .Append(CultureInfo.InvariantCulture, $"#EXT-X-TARGETDURATION:{Math.Max(1, target)}\n")
            .Append(CultureInfo.InvariantCulture, $"#EXT-X-MEDIA-SEQUENCE:{segments[0].Sequence}\n")
            .Append(CultureInfo.InvariantCulture, $"#EXT-X-DISCONTINUITY-SEQUENCE:{buffer.Generation}\n")
            .Append(CultureInfo.InvariantCulture, $"#EXT-X-MAP:URI=\"{prefix}init.mp4\"\n");
        foreach (var s in segments)
        {
            text.Append(CultureInfo.InvariantCulture, $"#EXTINF:{s.Seconds:0.000},\n{prefix}{s.Sequence}.m4s\n");
        }

        return text.ToString();
    }
}
