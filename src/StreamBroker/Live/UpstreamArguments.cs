using CameraHub.CameraRegistry.Cameras;

namespace CameraHub.StreamBroker.Live;

/// <summary>The ffmpeg command line of one camera upstream: RTSP in, video copied (never transcoded) to fMP4 on stdout.</summary>
public static class UpstreamArguments
{
    /// <summary>A marker in the arguments (and the RTSP User-Agent) naming the camera, so its process can be found.</summary>
    public static string Marker(string cameraId) => $"CameraHub-live camera={cameraId}";

    public static IReadOnlyList<string> For(CameraSource camera, BrokerOptions options)
    {
        var url = RtspUrlWithCredentials(camera);
        var movflags = options.FragmentEveryFrame
            ? "empty_moov+default_base_moof+frag_every_frame"
            : "empty_moov+default_base_moof+frag_keyframe";
        return
        [
            "-hide_banner", "-nostats", "-loglevel", "warning",
            "-rtsp_transport", camera.RtspTransport == RtspTransport.Udp ? "udp" : "tcp",
            // Socket I/O timeout in microseconds: a silent camera ends ffmpeg instead of hanging it.
            "-timeout", ((long)options.StallTimeout.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-user_agent", Marker(camera.Id),
            "-fflags", "nobuffer",
            // Probe no further than the first keyframe's parameters: the default probing reads seconds of video to
            // estimate a frame rate that stream copy never needs, and a viewer waits for it on every cold start
            // (measured: 2.2 s → 1.2 s to the first fragment with a 1 s GOP over TCP, 4.0 s → 2.0 s with a 2 s GOP over UDP).
            "-probesize", "32", "-analyzeduration", "0",
            "-i", url,
            // Video only: camera audio (G.711, AAC-LATM) rarely fits MP4 without transcoding, and live view needs none.
            "-map", "0:v:0", "-an",
            "-c", "copy",
            "-f", "mp4", "-movflags", movflags,
            "pipe:1",
        ];
    }

    /// <summary>
    /// The camera's RTSP URL with its user name and password in it, escaped: ffmpeg takes RTSP credentials nowhere else.
    /// For ffmpeg's arguments only; whatever ffmpeg prints is blanked by <see cref="Processes.FfmpegProcess"/>.
    /// </summary>
    public static string RtspUrlWithCredentials(CameraSource camera) =>
        WithCredentials(camera.RtspUrl ?? throw new InvalidOperationException($"camera {camera.Id} has no RTSP URL"), camera.Username, camera.Password);

    private static string WithCredentials(string rtspUrl, string? user, string? password)
    {
        if (string.IsNullOrEmpty(user) || !Uri.TryCreate(rtspUrl, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return rtspUrl;
        }

        var builder = new UriBuilder(uri) { UserName = Uri.EscapeDataString(user), Password = Uri.EscapeDataString(password ?? "") };
        return builder.Uri.AbsoluteUri;
    }
}
