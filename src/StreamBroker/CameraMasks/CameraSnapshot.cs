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
    public static async Task<CameraFrame> TakeAsync(PathManager paths, CameraSource camera, BrokerOptions options, TimeProvider time, ILogger logger, CancellationToken ct)
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

        var grey = await GreyAsync(options.FfmpegPath, gop.ToArray(), "mp4", config.Width, config.Height, logger, ct);
        return new CameraFrame(grey, config.Width, config.Height, lease.Path, run);
    }

    /// <summary>Decodes the first picture of <paramref name="input"/> (format <paramref name="format"/>, e.g. mp4, png_pipe) to grey at the given size.</summary>
    public static async Task<byte[]> GreyAsync(string ffmpegPath, byte[] input, string format, int width, int height, ILogger logger, CancellationToken ct)
    {
        await using var ffmpeg = FfmpegProcess.Start(ffmpegPath,
            ["-hide_banner", "-nostdin", "-loglevel", "error", "-f", format, "-i", "pipe:0", "-frames:v", "1",
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
        using var output = new MemoryStream();
        await ffmpeg.StandardOutput.CopyToAsync(output, ct);
        await writing;
        var code = await ffmpeg.Exited;
        if (output.Length != (long)width * height)
        {
            throw new InvalidOperationException($"ffmpeg decoded no {width}×{height} picture (exit {code}, {output.Length} bytes): {ffmpeg.Tail}");
        }

        return output.ToArray();
    }
}
