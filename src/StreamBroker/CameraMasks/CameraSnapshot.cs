using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>One grey frame of the camera's stream as the hub relays it, and the upstream run it came from.</summary>
public sealed record CameraFrame(byte[] Grey, int Width, int Height, CameraPath Path, int UpstreamRun);

/// <summary>
/// Takes a snapshot from the camera's own path (the stream readers would be relayed: init segment and the current
/// GOP, no second connection to the camera) and decodes one frame with real ffmpeg to 8-bit grey.
/// </summary>
public static class CameraSnapshot
{
    /// <summary>
    /// The first picture of the current GOP; with <paramref name="readOn"/> the path is read that much longer and the
    /// newest picture is returned instead (after new masks: the current GOP may have started before the camera drew them,
    /// and on a loaded camera or hub its pictures arrive late).
    /// </summary>
    public static async Task<CameraFrame> TakeAsync(
        PathManager paths, CameraSource camera, BrokerOptions options, TimeProvider time, ILogger logger, CancellationToken ct, TimeSpan readOn = default)
    {
        var probe = new Viewer($"mask-verify-{camera.Id}", options.ViewerQueueLength, time, options.SlowViewerTimeout);
        await using var lease = paths.Attach(camera, probe);
        var (init, config) = await MaskedFeedSource.AwaitInitAsync(probe, ct);
        var run = lease.Path.UpstreamStarts;
        using var gop = new MemoryStream();
        gop.Write(init.Span);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            while (gop.Length == init.Length)
            {
                var message = await probe.Reader.ReadAsync(timeout.Token);
                if (message.Control is null && !Sharing.RtspSession.IsInit(message))
                {
                    // The first fragment after the init starts at a keyframe (the path offers the current GOP).
                    gop.Write(message.Media.Span);
                }
            }
        }

        if (readOn > TimeSpan.Zero)
        {
            using var more = CancellationTokenSource.CreateLinkedTokenSource(ct);
            more.CancelAfter(readOn);
            try
            {
                while (true)
                {
                    var message = await probe.Reader.ReadAsync(more.Token);
                    if (message.Control is null && !Sharing.RtspSession.IsInit(message))
                    {
                        gop.Write(message.Media.Span);
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Read long enough: the newest picture is the one to judge.
            }
        }

        var grey = await GreyAsync(options.FfmpegPath, gop.ToArray(), "mp4", config.Width, config.Height, logger, ct, newest: readOn > TimeSpan.Zero);
        return new CameraFrame(grey, config.Width, config.Height, lease.Path, run);
    }

    /// <summary>Decodes the first picture of <paramref name="input"/> (format <paramref name="format"/>, e.g. mp4, png_pipe) to grey at the given size.</summary>
    public static async Task<byte[]> GreyAsync(string ffmpegPath, byte[] input, string format, int width, int height, ILogger logger, CancellationToken ct, bool newest = false)
    {
        await using var ffmpeg = FfmpegProcess.Start(ffmpegPath,
            ["-hide_banner", "-nostdin", "-loglevel", "error", "-f", format, "-i", "pipe:0", .. (newest ? (string[])[] : ["-frames:v", "1"]),
             "-vf", $"scale={width}:{height}:flags=neighbor", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
            logger, "mask-verify decode", stdinIsMedia: true);
        var writing = Task.Run(async () =>
        {
            try
            {
                await ffmpeg.StandardInput.WriteAsync(input, ct);
            }
            catch (IOException)
            {
                // ffmpeg had its frame and closed the pipe
            }
            finally
            {
                try
                {
                    ffmpeg.StandardInput.Close();
                }
                catch (IOException)
                {
                }
            }
        }, ct);
        // Pictures one after another: keep only the last whole one (one picture's memory however long the input).
        var size = width * height;
        var (picture, next) = (new byte[size], new byte[size]);
        var whole = false;
        while (true)
        {
            var filled = await ffmpeg.StandardOutput.ReadAtLeastAsync(next, size, throwOnEndOfStream: false, ct);
            if (filled < size)
            {
                break;
            }

            (picture, next, whole) = (next, picture, true);
        }

        await writing;
        var code = await ffmpeg.Exited;
        if (!whole)
        {
            throw new InvalidOperationException($"ffmpeg decoded no {width}×{height} picture (exit {code}): {ffmpeg.Tail}");
        }

        return picture;
    }
}
