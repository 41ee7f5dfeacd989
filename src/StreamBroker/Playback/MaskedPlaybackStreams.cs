using System.Net.WebSockets;
using System.Text;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using Microsoft.AspNetCore.Http;

namespace CameraHub.StreamBroker.Playback;

/// <summary>The playback streams of a masked session: the masked encode over the WebSocket, its HLS playlist and files.</summary>
internal static class MaskedPlaybackStreams
{
    /// <summary>
    /// Sends the masked encode from <paramref name="seekTo"/> as live does (a text "reset", the init, a fragment per
    /// frame), paced at real time; returns the bytes sent. The encoder is stopped when the viewer leaves.
    /// </summary>
    public static async Task<long> SendAsync(
        WebSocket socket, PlaybackSession session, DateTimeOffset seekTo, MaskedPlayback masked, TimeProvider time, CancellationToken ct)
    {
        MaskedPlaybackInput input;
        try
        {
            input = await masked.PrepareAsync(session.CameraId, session.Segments, seekTo, ct);
        }
        catch (MaskUnavailableException e)
        {
            // Never the original: the viewer is told why and nothing is shown.
            var refusal = System.Text.Json.JsonSerializer.Serialize(new { type = "ended", reason = $"no mask: {e.Message}" });
            await socket.SendAsync(Encoding.UTF8.GetBytes(refusal), WebSocketMessageType.Text, true, ct);
            return 0;
        }

        long bytes = 0;
        await using var ffmpeg = masked.StartFragments(session.CameraId, input);
        try
        {
            var clock = time.GetTimestamp();
            var sent = TimeSpan.Zero;
            uint timescale = 1;
            await foreach (var media in new FragmentedMp4Parser(ffmpeg.StandardOutput).ReadAsync(ct))
            {
                if (media is InitSegment init)
                {
                    timescale = Math.Max(1, init.Timescale);
                    var reset = Encoding.UTF8.GetBytes($$"""{"type":"reset","codec":"{{init.Codec}}","start":"{{seekTo:O}}","masked":true,"maskSha256":"{{input.MaskSha256}}"}""");
                    await socket.SendAsync(reset, WebSocketMessageType.Text, true, ct);
                    await socket.SendAsync(init.Data, WebSocketMessageType.Binary, true, ct);
                    continue;
                }

                var fragment = (Fragment)media;
                await socket.SendAsync(fragment.Data, WebSocketMessageType.Binary, true, ct);
                bytes += fragment.Data.Length;
                sent += TimeSpan.FromSeconds(fragment.Duration / (double)timescale);
                var ahead = sent - time.GetElapsedTime(clock);
                if (ahead > TimeSpan.FromSeconds(2))
                {
                    await Task.Delay(ahead - TimeSpan.FromSeconds(1), time, ct);
                }
            }

            if (await ffmpeg.Exited != 0)
            {
                var failed = System.Text.Json.JsonSerializer.Serialize(new { type = "ended", reason = $"the masking encoder failed: {ffmpeg.Tail}" });
                await socket.SendAsync(Encoding.UTF8.GetBytes(failed), WebSocketMessageType.Text, true, ct);
            }
        }
        finally
        {
            await ffmpeg.StopAsync(TimeSpan.FromSeconds(1));
            File.Delete(input.ListFile);
        }

        return bytes;
    }

    /// <summary>The masked event playlist of the session's HLS encode (started by the first request).</summary>
    public static async Task<IResult> PlaylistAsync(PlaybackSession session, MaskedPlayback masked, TimeProvider time, CancellationToken ct)
    {
        MaskedHlsRun run;
        try
        {
            run = await masked.HlsAsync(session, ct);
        }
        catch (MaskUnavailableException e)
        {
            return Results.Problem(statusCode: 409, title: "No mask", detail: $"{e.Message}; this camera is played back only masked");
        }

        var text = await run.PlaylistAsync(TimeSpan.FromSeconds(20), time, ct);
        return text is null
            ? Results.Problem(statusCode: 503, title: "Masking encoder not ready", detail: $"the masked encode wrote no segment yet: {run.Failure}")
            : Results.Text(text, "application/vnd.apple.mpegurl");
    }

    /// <summary>One file of the session's masked HLS encode (<c>init.mp4</c>, <c>N.m4s</c>).</summary>
    public static async Task<IResult> FileAsync(PlaybackSession session, string name, MaskedPlayback masked, CancellationToken ct)
    {
        MaskedHlsRun run;
        try
        {
            run = await masked.HlsAsync(session, ct);
        }
        catch (MaskUnavailableException e)
        {
            return Results.Problem(statusCode: 409, title: "No mask", detail: e.Message);
        }

        if (run.FileOf(name) is not { } path || !File.Exists(path))
        {
            return Results.Problem(statusCode: 404, title: "No such part", detail: $"the masked encode has no '{name}' (yet)");
        }

        return Results.Bytes(await File.ReadAllBytesAsync(path, ct), name.EndsWith(".m4s", StringComparison.Ordinal) ? "video/iso.segment" : "video/mp4");
    }
}
