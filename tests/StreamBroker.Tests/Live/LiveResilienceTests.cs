using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>Cameras that drop, refuse, stall or talk garbage: the broker reports why and recovers, never leaks ffmpeg.</summary>
[Trait("Category", "Integration")]
public sealed class LiveResilienceTests
{
    private static Task<CameraLiveStatus> StatusAsync(BrokerHost broker, string id) => broker.ViewersAsync(id);

    /// <summary>Waits for the camera to report offline and returns that status (with its reason).</summary>
    private static async Task<CameraLiveStatus> OfflineAsync(BrokerHost broker, string id)
    {
        CameraLiveStatus? status = null;
        Assert.True(await Processes.EventuallyAsync(() =>
        {
            status = StatusAsync(broker, id).GetAwaiter().GetResult();
            return status.State == CameraLiveState.Offline;
        }, BrokerHost.Patience), $"camera never reported offline: {status}");
        return status!;
    }

    [Fact]
    public async Task Viewer_is_told_the_camera_went_offline_and_resumes_on_the_same_socket_when_it_returns()
    {
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using (var broker = await BrokerHost.StartAsync())
        {
            broker.AddWatchableCamera(id, camera.Url);
            await using var viewer = await broker.WatchAsync("traffic", id);
            Assert.True(await viewer.WaitForMessagesAsync(10, BrokerHost.Patience));

            await camera.StopAsync();
            Assert.True(await viewer.WaitForEventAsync("offline", BrokerHost.Patience), "the viewer was not told the camera dropped");
            var offline = await StatusAsync(broker, id);
            Assert.Equal(CameraLiveState.Offline, offline.State);
            Assert.False(string.IsNullOrWhiteSpace(offline.Reason));
            // The viewer is told the real cause, not ffmpeg's leftover start-up warning.
            var told = viewer.Events.First(e => e.Contains("\"type\":\"offline\"", StringComparison.Ordinal));
            Assert.Contains("stream ended by the camera", told, StringComparison.Ordinal);
            Assert.DoesNotContain("estimate rate", told, StringComparison.Ordinal);

            var resets = viewer.CountEvents("reset");
            await camera.StartServerAsync();
            Assert.True(await viewer.WaitForEventAsync("online", BrokerHost.Patience), "the viewer was not told the camera is back");
            Assert.True(await viewer.WaitForEventAsync("reset", BrokerHost.Patience, resets + 1), "the viewer did not get the new init segment");
            var before = viewer.BinaryMessages;
            Assert.True(await viewer.WaitForMessagesAsync(before + 10, BrokerHost.Patience), "video did not resume on the same WebSocket");
            Assert.False(viewer.Closed);
            Assert.Single(Processes.WithMarker(UpstreamArguments.Marker(id)));
        }

        Assert.Empty(Processes.WithMarker(UpstreamArguments.Marker(id)));
    }

    [Fact]
    public async Task Killing_ffmpeg_from_outside_is_recovered_from_without_the_viewer_reconnecting()
    {
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using (var broker = await BrokerHost.StartAsync())
        {
            broker.AddWatchableCamera(id, camera.Url);
            await using var viewer = await broker.WatchAsync("traffic", id);
            Assert.True(await viewer.WaitForMessagesAsync(10, BrokerHost.Patience));

            var pid = Assert.Single(Processes.WithMarker(UpstreamArguments.Marker(id)));
            var resets = viewer.CountEvents("reset"); // the session began with one
            Process.GetProcessById(pid).Kill();

            Assert.True(await viewer.WaitForEventAsync("reset", BrokerHost.Patience, resets + 1), "the stream did not restart");
            var before = viewer.BinaryMessages;
            Assert.True(await viewer.WaitForMessagesAsync(before + 10, BrokerHost.Patience));
            Assert.True(broker.Paths.Find(id)!.UpstreamStarts >= 2);
            var now = Assert.Single(Processes.WithMarker(UpstreamArguments.Marker(id)));
            Assert.NotEqual(pid, now);
        }

        Assert.Empty(Processes.WithMarker(UpstreamArguments.Marker(id)));
    }

    [Fact]
    public async Task UDP_transport_from_the_registry_entry_is_used_and_delivers_video()
    {
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync();
        broker.AddWatchableCamera(id, camera.Url, RtspTransport.Udp);
        await using var viewer = await broker.WatchAsync("traffic", id);

        Assert.True(await viewer.WaitForMessagesAsync(10, BrokerHost.Patience), "no video over UDP");
        var pid = Assert.Single(Processes.WithMarker(UpstreamArguments.Marker(id)));
        var cmdline = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0');
        var at = Array.IndexOf(cmdline, "-rtsp_transport");
        Assert.Equal("udp", cmdline[at + 1]);
    }

    [Fact]
    public async Task A_camera_moved_to_a_new_address_in_the_registry_is_reconnected_at_once_and_other_edits_leave_it_alone()
    {
        // The camera is down at its registered address (backing off), and the registry is corrected: no waiting out the
        // backoff, no viewer reconnecting; then an edit that does not touch the connection restarts nothing.
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync(new()
        {
            ["CameraHub:Broker:ReconnectMinDelay"] = "00:00:30",
            ["CameraHub:Broker:ReconnectMaxDelay"] = "00:01:00",
        });
        broker.AddWatchableCamera(id, $"rtsp://127.0.0.1:{RtspCamera.FreePort()}/cam");
        await using var viewer = await broker.WatchAsync("traffic", id);
        await OfflineAsync(broker, id);
        var path = broker.Paths.Find(id)!;
        Assert.Equal(1, path.UpstreamStarts);

        broker.Cameras.Add(id, camera.Url);
        await broker.AccessFeed.RaiseAsync(new CameraRegistry.Access.AccessChanged(null, null, $"camera {id} changed by test"));

        Assert.True(await viewer.WaitForMessagesAsync(10, TimeSpan.FromSeconds(15)), "the corrected address was not tried before the 30 s backoff ended");
        Assert.Equal(2, path.UpstreamStarts);
        Assert.Same(path, broker.Paths.Find(id));
        var pid = Assert.Single(Processes.WithMarker(UpstreamArguments.Marker(id)));
        Assert.Contains($":{camera.Port}/", await File.ReadAllTextAsync($"/proc/{pid}/cmdline"), StringComparison.Ordinal);

        broker.Cameras.Add(id, camera.Url, allowedHours: "Mon-Sun 00:00-24:00");
        await broker.AccessFeed.RaiseAsync(new CameraRegistry.Access.AccessChanged(null, null, $"camera {id} changed by test"));
        var before = viewer.BinaryMessages;
        Assert.True(await viewer.WaitForMessagesAsync(before + 10, BrokerHost.Patience));
        Assert.Equal(2, path.UpstreamStarts);
        Assert.Equal("Mon-Sun 00:00-24:00", path.Camera.AllowedHours);
    }

    [Fact]
    public async Task A_camera_refusing_the_registered_password_says_401_without_showing_it_and_the_corrected_password_connects_at_once()
    {
        await using var camera = await RtspCamera.StartAsync(login: ("viewer", "right-Pa55"));
        var id = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync(new()
        {
            ["CameraHub:Broker:ReconnectMinDelay"] = "00:00:30",
            ["CameraHub:Broker:ReconnectMaxDelay"] = "00:01:00",
        });
        broker.Cameras.Add(id, camera.Url, username: "viewer", password: "wrong-Pa55");
        broker.Policy.Grant("traffic", id);
        await using var viewer = await broker.WatchAsync("traffic", id);

        var status = await OfflineAsync(broker, id);
        Assert.Contains("401 Unauthorized", status.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Pa55", status.Reason, StringComparison.Ordinal);
        Assert.True(await viewer.WaitForEventAsync("offline", BrokerHost.Patience));
        Assert.DoesNotContain(viewer.Events, e => e.Contains("Pa55", StringComparison.Ordinal));

        // The owner corrects the password in the registry: no waiting out the 30 s backoff.
        broker.Cameras.Add(id, camera.Url, username: "viewer", password: "right-Pa55");
        await broker.AccessFeed.RaiseAsync(new CameraRegistry.Access.AccessChanged(null, null, $"camera {id} changed by test"));
        Assert.True(await viewer.WaitForMessagesAsync(10, TimeSpan.FromSeconds(15)), "the corrected password was not tried before the backoff ended");
        Assert.Equal(CameraLiveState.Online, (await StatusAsync(broker, id)).State);
    }

    private const string Password = "s3cret-Pa55";

    public static TheoryData<string> BadCameras => ["refused", "garbage", "silent"];

    [Theory]
    [MemberData(nameof(BadCameras))]
    public async Task A_bad_camera_gets_an_offline_status_with_a_reason_and_leaves_no_ffmpeg_behind(string kind)
    {
        await using var bad = kind switch
        {
            "garbage" => BadCamera.Garbage(),
            "silent" => BadCamera.Silent(),
            _ => null,
        };
        var url = bad?.Url ?? $"rtsp://127.0.0.1:{RtspCamera.FreePort()}/cam";
        var id = BrokerHost.NewCameraId();
        await using (var broker = await BrokerHost.StartAsync(new() { ["CameraHub:Broker:StallTimeout"] = "00:00:02" }))
        {
            // The refusing camera has a password: ffmpeg names the URL in its error, and the reason must not repeat it.
            broker.Cameras.Add(id, url, username: kind == "refused" ? "viewer" : null, password: kind == "refused" ? Password : null);
            broker.Policy.Grant("traffic", id);
            await using var viewer = await broker.WatchAsync("traffic", id);

            var status = await OfflineAsync(broker, id);
            Assert.False(string.IsNullOrWhiteSpace(status.Reason));
            if (kind == "refused")
            {
                Assert.Contains("refused", status.Reason, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("rtsp://***@127.0.0.1", status.Reason, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(Password, status.Reason, StringComparison.Ordinal);
            Assert.True(await viewer.WaitForEventAsync("offline", BrokerHost.Patience), "the viewer was not told why there is no video");
            Assert.DoesNotContain(viewer.Events, e => e.Contains(Password, StringComparison.Ordinal));
            Assert.False(viewer.Closed);
            Assert.True(Processes.WithMarker(UpstreamArguments.Marker(id)).Count <= 1);
        }

        Assert.True(await Processes.EventuallyAsync(() => Processes.WithMarker(UpstreamArguments.Marker(id)).Count == 0, TimeSpan.FromSeconds(5)));
    }
}
