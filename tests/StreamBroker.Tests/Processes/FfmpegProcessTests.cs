using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.StreamBroker.Tests.Processes;

/// <summary>What ffmpeg says about a camera reaches logs and viewers without the camera's password.</summary>
public sealed class FfmpegProcessTests
{
    [Theory]
    [InlineData("rtsp://viewer:s3cret@10.0.0.5:554/stream1: Connection refused", "rtsp://***@10.0.0.5:554/stream1: Connection refused")]
    [InlineData("[rtsp @ 0x55d] method DESCRIBE failed: 401 Unauthorized", "[rtsp @ 0x55d] method DESCRIBE failed: 401 Unauthorized")]
    [InlineData("Input #0, rtsp, from 'rtsp://admin:p%40ss%3Aw%2Frd@cam.local/live':", "Input #0, rtsp, from 'rtsp://***@cam.local/live':")]
    [InlineData("http://onvif:x@10.0.0.9/onvif/device_service and rtsps://u:v@h/p", "http://***@10.0.0.9/onvif/device_service and rtsps://***@h/p")]
    [InlineData("rtsp://10.0.0.5/path@odd: Server returned 404 Not Found", "rtsp://10.0.0.5/path@odd: Server returned 404 Not Found")]
    public void Credentials_in_URLs_are_blanked_and_nothing_else_changes(string line, string expected) =>
        Assert.Equal(expected, FfmpegProcess.WithoutCredentials(line));

    [Fact]
    public async Task A_real_ffmpeg_refused_by_a_camera_leaves_no_password_in_its_tail()
    {
        var port = Live.RtspCamera.FreePort();
        await using var ffmpeg = FfmpegProcess.Start(
            "ffmpeg", ["-hide_banner", "-loglevel", "warning", "-rtsp_transport", "tcp", "-i", $"rtsp://viewer:s3cret-Pa55@127.0.0.1:{port}/cam", "-f", "null", "-"],
            NullLogger.Instance, "test");
        Assert.NotEqual(0, await ffmpeg.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"rtsp://***@127.0.0.1:{port}/cam", ffmpeg.Tail, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ffmpeg.Tail, StringComparison.Ordinal);
    }
}
