using System.Globalization;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Processes;
using CameraHub.StreamBroker.Sharing;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Masked;

/// <summary>
/// The source of a camera's masked feed (people and partners): while the feed has readers, one ffmpeg reads the camera path's
/// fMP4 (init, then fragments from its queue) on stdin, pixelates the masked pixels with the static mask, encodes
/// H.264 (libx264 ultrafast, zerolatency, a keyframe every second) and writes fMP4 that the feed's path fans out like
/// a camera's. The camera keeps its single upstream: the feed is one more reader of it.
/// </summary>
internal sealed class MaskedFeedSource(
    CameraSource camera, PathManager paths, IFeedMasks masks, ICameraDirectory cameras, BrokerOptions options, TimeProvider time, ILogger logger)
    : IPathSource
{
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(15);

    public bool IsCameraUpstream => false;

    public async Task<FfmpegProcess> StartAsync(CancellationToken ct)
    {
        var viewer = new Viewer($"masked-{camera.Id}", options.ViewerQueueLength, time, options.SlowViewerTimeout);
        var lease = paths.Attach(camera, viewer);
        try
        {
            var (init, config) = await AwaitInitAsync(viewer, ct);
            // The registry may have changed the profile since the feed opened: each run masks by the current one.
            var current = await cameras.FindAsync(camera.Id, ct) ?? camera;
            if (!MaskedFeeds.RequiresMasking(current))
            {
                current = camera; // never unmask a running masked feed; a new connection decides afresh
            }

            var mask = await masks.GetAsync(current, config.Width, config.Height, ct);
            var maskFile = await MaskFileAsync(mask, ct);
            var ffmpeg = FfmpegProcess.Start(options.FfmpegPath, MaskedFeedArguments.For(camera.Id, maskFile, config.Width, config.Height, mask.BlockSize),
                logger, $"masked {camera.Id}", stdinIsMedia: true);
            logger.LogInformation("Camera {Camera}: masked feed encoding {Width}x{Height} with mask {Sha}", camera.Id, config.Width, config.Height, mask.Sha256);
            _ = FeedAsync(ffmpeg, init, lease, ct);
            return ffmpeg;
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException)
            {
                MaskingMetrics.Failed("start");
            }

            await lease.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads a fresh reader's queue up to the camera's init segment (the fragments behind it stay queued).</summary>
    /// <exception cref="InvalidOperationException">No init within 15 s, or the stream is not H.264.</exception>
    public static async Task<(ReadOnlyMemory<byte> Init, AvcConfig Config)> AwaitInitAsync(Viewer viewer, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(InitTimeout);
        try
        {
            while (await viewer.Reader.WaitToReadAsync(timeout.Token))
            {
                while (viewer.Reader.TryRead(out var message))
                {
                    if (RtspSession.IsInit(message) && await RtspSession.ConfigOfAsync(message.Media) is { Width: > 0, Height: > 0 } config)
                    {
                        return (message.Media, config);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // no init in time
        }

        ct.ThrowIfCancellationRequested();
        throw new InvalidOperationException(viewer.EndReason is { } reason
            ? $"the camera's stream ended before the masked feed could start: {reason}"
            : "the camera sent no H.264 video within 15 s, so the masked feed cannot start");
    }

    /// <summary>Copies the camera's fMP4 into ffmpeg until the run ends; a new init (camera reconnected) ends the run too.</summary>
    private static async Task FeedAsync(FfmpegProcess ffmpeg, ReadOnlyMemory<byte> init, PathLease lease, CancellationToken ct)
    {
        var stdin = ffmpeg.StandardInput;
        try
        {
            await stdin.WriteAsync(init, ct);
            await foreach (var message in lease.Viewer.Reader.ReadAllAsync(ct))
            {
                if (message.Control is { } control)
                {
                    // A reset announces a new init: ffmpeg cannot take a second moov on one input; restart the encoder.
                    if (control.Contains("\"reset\"", StringComparison.Ordinal))
                    {
                        break;
                    }

                    continue;
                }

                if (RtspSession.IsInit(message))
                {
                    break;
                }

                await stdin.WriteAsync(message.Media, ct);
                await stdin.FlushAsync(ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // the run is stopping, or the encoder exited
        }
        finally
        {
            try
            {
                // End of input: ffmpeg flushes and exits, which ends the path's run.
                stdin.Close();
            }
            catch (IOException)
            {
            }

            await lease.DisposeAsync();
        }
    }

    /// <summary>The mask as a file ffmpeg can read, named by its hash so equal masks share one file.</summary>
    internal static async Task<string> MaskFileAsync(FeedMask mask, CancellationToken ct)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "camerahub-feed-masks")).FullName;
        var file = Path.Combine(directory, $"{mask.Sha256}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(mask.ObscurePng))[..16]}.png");
        if (!File.Exists(file))
        {
            var temporary = file + $".{Environment.ProcessId}.tmp";
            await File.WriteAllBytesAsync(temporary, mask.ObscurePng, ct);
            File.Move(temporary, file, overwrite: true);
        }

        return file;
    }
}

/// <summary>The ffmpeg command line of a masked feed: fMP4 on stdin, the mask PNG as a second input, fMP4 on stdout.</summary>
public static class MaskedFeedArguments
{
    /// <summary>A marker in the arguments naming the camera, so tests and operators can find the encoder.</summary>
    public static string Marker(string cameraId) => $"CameraHub-masked feed={cameraId}";

    /// <summary>fMP4 on stdin (the camera path's stream), the mask PNG as a second input, fMP4 on stdout.</summary>
    public static IReadOnlyList<string> For(string cameraId, string maskFile, int width, int height, int blockSize) =>
    [
        "-hide_banner", "-nostats", "-loglevel", "error",
        "-fflags", "nobuffer",
        "-f", "mp4", "-i", "pipe:0",
        .. MaskAndEncode(Marker(cameraId), maskFile, width, height, blockSize),
        "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_every_frame",
        "pipe:1",
    ];

    /// <summary>
    /// The mask input, the filter and the encoder, after the video input (input 0): the part live and playback share.
    /// The filter pixelates a copy of each frame (area-average down to one pixel per block on a grid fixed to the
    /// frame, nearest-neighbour back up), takes the mask as that copy's alpha and overlays it on the frame: obscured
    /// pixels become their block's mean, kept pixels are untouched. The single-frame mask input is repeated for the
    /// whole stream (overlay's eof_action=repeat), so nothing is decoded per frame but the video.
    /// </summary>
    public static IReadOnlyList<string> MaskAndEncode(string marker, string maskFile, int width, int height, int blockSize)
    {
        var columns = (width + blockSize - 1) / blockSize;
        var rows = (height + blockSize - 1) / blockSize;
        var graph = string.Create(CultureInfo.InvariantCulture,
            $"[0:v]split[base][copy];"
            + $"[copy]scale={columns}:{rows}:flags=area,scale={columns * blockSize}:{rows * blockSize}:flags=neighbor,crop={width}:{height}:0:0[blocks];"
            + $"[1:v]format=gray[mask];[blocks][mask]alphamerge[veil];"
            + $"[base][veil]overlay=format=yuv420:eof_action=repeat,format=yuv420p[out]");
        return
        [
            "-i", maskFile,
            "-filter_complex", graph,
            "-map", "[out]", "-an",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            // A keyframe every second whatever the camera's rate: readers join (and HLS segments cut) within a second.
            "-force_key_frames", "expr:gte(t,n_forced*1)",
            "-fps_mode", "passthrough",
            "-metadata", $"comment={marker}",
        ];
    }
}
