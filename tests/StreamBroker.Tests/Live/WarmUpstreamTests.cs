using System.Globalization;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>The control room's cameras stay connected with nobody watching, and only while anyone may watch them.</summary>
[Trait("Category", "Integration")]
public sealed class WarmUpstreamTests
{
    [Fact]
    public async Task A_warm_category_camera_is_pulled_before_anyone_watches_and_kept_after_the_last_viewer_until_it_no_longer_qualifies()
    {
        await using var camera = await RtspCamera.StartAsync();
        var warm = BrokerHost.NewCameraId();
        var school = BrokerHost.NewCameraId();
        var closed = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync(new()
        {
            ["CameraHub:Broker:WarmCategories:0"] = "Traffic",
            ["CameraHub:Broker:WarmInterval"] = "00:00:01",
        });
        broker.AddWatchableCamera(warm, camera.Url);
        broker.Cameras.Add(school, camera.Url, category: CameraCategory.School);
        broker.Cameras.Add(closed, camera.Url, allowedHours: HoursNotIncludingNow());

        // Nobody watches, yet the traffic camera's upstream is up and buffering.
        Assert.True(await Processes.EventuallyAsync(() => broker.Paths.Find(warm)?.Status.State == CameraLiveState.Online, BrokerHost.Patience),
            "the warm camera's upstream never came online");
        var path = broker.Paths.Find(warm)!;
        Assert.Equal(0, path.ViewerCount);
        var pid = path.UpstreamProcessId;

        // A viewer joins the running upstream: no second connection to the camera, video at once from the buffer.
        await using (var viewer = await broker.WatchAsync("traffic", warm))
        {
            Assert.True(await viewer.WaitForMessagesAsync(10, BrokerHost.Patience), "no video arrived over the WebSocket");
            Assert.Equal(1, path.UpstreamStarts);
            Assert.Equal(pid, path.UpstreamProcessId);
        }

        // The viewer left and the idle grace (1 s here) passed: still connected, same ffmpeg.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Same(path, broker.Paths.Find(warm));
        Assert.Equal(pid, path.UpstreamProcessId);
        Assert.Single(Processes.WithMarker(UpstreamArguments.Marker(warm)));

        // Other categories, and a traffic camera outside its allowed hours, are not pulled on their own.
        Assert.Null(broker.Paths.Find(school));
        Assert.Null(broker.Paths.Find(closed));
        Assert.Empty(Processes.WithMarker(UpstreamArguments.Marker(closed)));

        // The camera stops qualifying (here it becomes recorded-only): the hold goes and so does the upstream.
        broker.Cameras.Add(warm, camera.Url, mode: CameraMode.RecordedOnly);
        Assert.True(await Processes.EventuallyAsync(() => broker.Paths.Find(warm) is null, BrokerHost.Patience), "the upstream stayed open");
        Assert.True(await Processes.EventuallyAsync(() => Processes.WithMarker(UpstreamArguments.Marker(warm)).Count == 0, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void The_warm_schedule_follows_the_live_rules_not_the_recording_ones()
    {
        var directory = new TestDirectory();
        var now = DateTimeOffset.UtcNow;
        Assert.True(UpstreamSchedule.ForWarmLive(directory.Add("a", "rtsp://127.0.0.1:9/a"), now).Open);
        Assert.False(UpstreamSchedule.ForWarmLive(directory.Add("b", "rtsp://127.0.0.1:9/b", mode: CameraMode.RecordedOnly), now).Open);
        Assert.True(UpstreamSchedule.ForRecording(directory.Add("c", "rtsp://127.0.0.1:9/c", mode: CameraMode.RecordedOnly), now).Open);
        Assert.False(UpstreamSchedule.ForWarmLive(directory.Add("d", "rtsp://127.0.0.1:9/d", allowedHours: HoursNotIncludingNow()), now).Open);
        Assert.False(UpstreamSchedule.ForWarmLive(directory.Add("e", "rtsp://127.0.0.1:9/e") with { LegalBasisValid = false }, now).Open);
        Assert.True(UpstreamSchedule.Unreachable(directory.Add("f", "rtsp://trf-001.cameras.invalid/stream1")));
    }

    /// <summary>An allowed-hours window that opens two hours from now (Stockholm time) and lasts one hour.</summary>
    private static string HoursNotIncludingNow()
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm"));
        var from = (local.Hour + 2) % 24;
        return string.Create(CultureInfo.InvariantCulture, $"Mon-Sun {from:D2}:00-{(from + 1) % 24:D2}:00");
    }
}
