using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace CameraHub.Masking.Files;

/// <summary>Grabs one picture from a camera's RTSP stream with ffmpeg, for mask previews.</summary>
public sealed class CameraSnapshot(ILogger<CameraSnapshot> logger, TimeProvider time)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>A BGR frame from <paramref name="camera"/>, or null when the stream cannot be read in time.</summary>
    public async Task<Mat?> GrabAsync(CameraSource camera, CancellationToken ct)
    {
        if (camera.RtspUrl is null || !Uri.TryCreate(camera.RtspUrl, UriKind.Absolute, out _))
        {
            return null;
        }

        string[] args =
        [
            "-hide_banner", "-nostats", "-v", "error",
            "-rtsp_transport", camera.RtspTransport == RtspTransport.Udp ? "udp" : "tcp",
            "-i", UpstreamArguments.RtspUrlWithCredentials(camera), "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "pipe:1",
        ];
        await using var process = FfmpegProcess.Start("ffmpeg", args, logger, $"snapshot {camera.Id}");
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var png = new MemoryStream();
        try
        {
            await process.StandardOutput.CopyToAsync(png, linked.Token);
            var code = await process.Exited.WaitAsync(linked.Token);
            if (code != 0 || png.Length == 0)
            {
                logger.LogWarning("Snapshot of {Camera} failed (exit {Code}): {Tail}", camera.Id, code, process.Tail);
                return null;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Snapshot of {Camera} timed out", camera.Id);
            return null;
        }

        var frame = Cv2.ImDecode(png.ToArray(), ImreadModes.Color);
        if (frame.Empty())
        {
            frame.Dispose();
            return null;
        }

        return frame;
    }
}
