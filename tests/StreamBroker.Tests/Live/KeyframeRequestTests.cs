using System.Diagnostics;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>
/// A cold camera's first viewer does not wait for the camera's next keyframe: the broker asks for one over ONVIF
/// (SetSynchronizationPoint) while the upstream opens, and a camera that cannot do that still streams.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KeyframeRequestTests
{
    /// <summary>20 s between the camera's own keyframes (10 fps): far longer than a forced one may take.</summary>
    private const int LongGop = 200;

    [Fact]
    public async Task A_cold_first_viewer_gets_its_first_frame_long_before_the_cameras_next_scheduled_keyframe()
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = BrokerHost.NewCameraId(), EventService = false, KeyframeInterval = LongGop,
        });

        // The camera is already encoding for someone else (as a real camera always is): its GOP started with this reader.
        var encoding = Stopwatch.StartNew();
        await using var other = FfmpegProcess.Start("ffmpeg",
            ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", camera.RtspUri!.ToString(), "-c", "copy", "-f", "null", "-"],
            NullLogger.Instance, "other reader");
        await using var broker = await BrokerHost.StartAsync(services: b => b.Services.AddOnvif(b.Configuration));
        var id = camera.Options.CameraId;
        broker.Cameras.Add(id, camera.RtspUri.ToString(), onvifUrl: camera.DeviceServiceUri.ToString(),
            username: camera.Options.Username, password: camera.Options.Password);
        broker.Policy.Grant("traffic", id);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var opened = Stopwatch.StartNew();
        await using var viewer = await broker.WatchAsync("traffic", id);
        // Init segment, then the first frame (a keyframe: a viewer always starts at one).
        Assert.True(await viewer.WaitForMessagesAsync(2, TimeSpan.FromSeconds(12)), "no first frame within 12 s");
        var firstFrame = opened.Elapsed;

        Assert.True(encoding.Elapsed < TimeSpan.FromSeconds(LongGop / 10.0 - 2),
            $"the first frame came {encoding.Elapsed.TotalSeconds:0.0} s into the camera's GOP, about when its own keyframe was due");
        Assert.True(firstFrame < TimeSpan.FromSeconds(8), $"first frame after {firstFrame.TotalMilliseconds:0} ms");
        Assert.True(camera.Device!.SynchronizationPoints >= 1, "the camera was never asked for a keyframe");
        Assert.True(broker.Paths.Find(id)!.KeyframesRequested >= 1);
    }

    [Fact]
    public async Task A_camera_that_refuses_keyframe_requests_or_has_no_reachable_onvif_still_streams()
    {
        await using var refusing = await SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = BrokerHost.NewCameraId(), EventService = false, SynchronizationPoint = false,
        });
        await using var broker = await BrokerHost.StartAsync(services: b => b.Services.AddOnvif(b.Configuration));
        var refuses = refusing.Options.CameraId;
        broker.Cameras.Add(refuses, refusing.RtspUri!.ToString(), onvifUrl: refusing.DeviceServiceUri.ToString(),
            username: refusing.Options.Username, password: refusing.Options.Password);
        broker.Policy.Grant("traffic", refuses);
        // Nothing listens on the discard port: the ONVIF call fails at once, the RTSP upstream must not care.
        var unreachable = BrokerHost.NewCameraId();
        broker.Cameras.Add(unreachable, refusing.RtspUri.ToString(), onvifUrl: "http://127.0.0.1:9/onvif/device_service");
        broker.Policy.Grant("traffic", unreachable);

        // One after the other: with both RTSP sessions set up at the same instant on the fake camera's one shared
        // pipeline, one of them once got no video within the patience in a full run on a loaded machine; opening them
        // in turn tests the same thing (neither upstream waits on its camera's ONVIF answer) without that race.
        await using var first = await broker.WatchAsync("traffic", refuses);
        Assert.True(await first.WaitForMessagesAsync(10, BrokerHost.Patience), "the refusing camera's video never arrived");
        await using var second = await broker.WatchAsync("traffic", unreachable);
        Assert.True(await second.WaitForMessagesAsync(10, BrokerHost.Patience), "the camera with an unreachable ONVIF address never streamed");
        Assert.Equal(0, broker.Paths.Find(refuses)!.KeyframesRequested);
        Assert.Equal(0, broker.Paths.Find(unreachable)!.KeyframesRequested);
        Assert.Equal(1, broker.Paths.Find(refuses)!.UpstreamStarts);
        Assert.Equal(0, refusing.Device!.SynchronizationPoints);
    }
}
