using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>The upstream command line: RTSP transport from the registry, copy only, fMP4 to stdout.</summary>
public sealed class UpstreamArgumentsTests
{
    private static CameraSource Camera(RtspTransport transport, string? user = null, string? password = null) =>
        new("TRF-1", "Tunnel", "org", CameraCategory.Traffic, CameraMode.LiveOnly, CameraStatus.Active, true, "always", null,
            "rtsp://10.0.0.5:554/stream1", null, transport, user, password, new MaskingProfile(), []);

    private static string After(IReadOnlyList<string> args, string option) => args[args.ToList().IndexOf(option) + 1];

    [Fact]
    public void Uses_TCP_by_default_and_UDP_when_the_registry_says_so_and_never_transcodes()
    {
        var tcp = UpstreamArguments.For(Camera(RtspTransport.Tcp), new BrokerOptions());
        var udp = UpstreamArguments.For(Camera(RtspTransport.Udp), new BrokerOptions());

        Assert.Equal("tcp", After(tcp, "-rtsp_transport"));
        Assert.Equal("udp", After(udp, "-rtsp_transport"));
        Assert.Equal("copy", After(tcp, "-c"));
        Assert.DoesNotContain("libx264", tcp);
        Assert.Equal("pipe:1", tcp[^1]);
        Assert.Contains("frag_every_frame", After(tcp, "-movflags"), StringComparison.Ordinal);
        Assert.Contains("frag_keyframe", After(UpstreamArguments.For(Camera(RtspTransport.Tcp), new BrokerOptions { FragmentEveryFrame = false }), "-movflags"), StringComparison.Ordinal);
        Assert.Contains(UpstreamArguments.Marker("TRF-1"), tcp);
    }

    [Fact]
    public void Camera_credentials_go_into_the_RTSP_URL_escaped()
    {
        var args = UpstreamArguments.For(Camera(RtspTransport.Tcp, "viewer", "p@ss:w/rd"), new BrokerOptions());
        Assert.Equal("rtsp://viewer:p%40ss%3Aw%2Frd@10.0.0.5:554/stream1", After(args, "-i"));
    }
}
