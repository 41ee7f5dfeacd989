using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Sharing;
using CameraHub.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Issue #17, partners on any node: RTSP to node A for a camera node B holds is sent to B with a 302 that ffmpeg and
/// GStreamer follow; partner HLS on A is redirected (307) to B and plays there. A never pulls the camera.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Database", "PostgreSql")]
[Collection(TwoNodesShared.Name)]
public sealed class AnyNodePartnerTests(TwoNodes nodes)
{
    private string RtspOnA => $"rtsp://{nodes.Partner.UserName}:{nodes.Partner.Password}@127.0.0.1:{nodes.RtspPort}/{TwoNodes.OnB}";

    [Fact]
    public async Task Partner_RTSP_on_A_is_redirected_to_B_and_ffmpeg_and_GStreamer_receive_frames_from_B()
    {
        var (code, log) = await Tool.RunAsync("ffmpeg", "-v", "info", "-rtsp_transport", "tcp", "-i", RtspOnA, "-frames:v", "10", "-f", "null", "-");
        Assert.True(code == 0, log);
        Assert.Contains($"rtsp://127.0.0.2:{nodes.RtspPort}/{TwoNodes.OnB}", log, StringComparison.Ordinal);

        var (gstCode, gst) = await Tool.RunAsync("/usr/bin/gst-launch-1.0", "-q", "rtspsrc", $"location=rtsp://127.0.0.1:{nodes.RtspPort}/{TwoNodes.OnB}",
            $"user-id={nodes.Partner.UserName}", $"user-pw={nodes.Partner.Password}", "protocols=tcp", "!", "rtph264depay", "!", "h264parse",
            "!", "fakesink", "num-buffers=30");
        Assert.True(gstCode == 0, gst);

        Assert.Null(nodes.A.Services.GetRequiredService<PathManager>().Find(TwoNodes.OnB));
        Assert.NotNull(nodes.B.Services.GetRequiredService<PathManager>().Find(TwoNodes.OnB));
    }

    [Fact]
    public async Task Partner_RTSP_for_a_camera_no_node_holds_answers_503()
    {
        var url = $"rtsp://{nodes.Partner.UserName}:{nodes.Partner.Password}@127.0.0.1:{nodes.RtspPort}/{TwoNodes.Unheld}";
        var (code, log) = await Tool.RunAsync("ffprobe", "-v", "error", "-rtsp_transport", "tcp", url);

        Assert.NotEqual(0, code);
        Assert.Contains("503", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Partner_HLS_on_A_is_redirected_to_B_and_plays_there()
    {
        var key = nodes.Partner.ApiKey;
        var playlist = $"{nodes.A.BaseAddress}api/partner/hls/{TwoNodes.OnB}/index.m3u8";
        using (var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, playlist);
            request.Headers.Add("X-Api-Key", key);
            using var answer = await client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.TemporaryRedirect, answer.StatusCode);
            Assert.Equal($"{nodes.B.BaseAddress}api/partner/hls/{TwoNodes.OnB}/index.m3u8", answer.Headers.Location!.ToString());
        }

        var (code, log) = await Tool.RunAsync("ffmpeg", "-v", "error", "-headers", $"X-Api-Key: {key}\r\n", "-i", playlist, "-t", "3", "-c", "copy", "-f", "null", "-");

        Assert.True(code == 0, log);
        Assert.Null(nodes.A.Services.GetRequiredService<PathManager>().Find(TwoNodes.OnB));
        Assert.True(nodes.B.Services.GetRequiredService<PartnerHlsReaders>().Count >= 1);
    }
}
