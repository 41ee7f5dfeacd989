using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>Who may watch, for how long, and what one viewer may cost the others.</summary>
[Trait("Category", "Integration")]
public sealed class LiveAccessTests
{
    [Fact]
    public async Task Refused_requests_get_403_or_409_are_audited_and_start_no_upstream()
    {
        var id = BrokerHost.NewCameraId();
        var recorded = BrokerHost.NewCameraId();
        var outOfHours = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync();
        broker.Cameras.Add(id, "rtsp://127.0.0.1:9/none");
        broker.Cameras.Add(recorded, "rtsp://127.0.0.1:9/none", mode: CameraMode.RecordedOnly);
        broker.Cameras.Add(outOfHours, "rtsp://127.0.0.1:9/none");
        broker.Policy.Grant("traffic", recorded);
        broker.Policy.Forbid(outOfHours, "camera is outside its allowed hours (Mon-Fri 20:00-06:00)");

        using var noGrant = await broker.PostLiveAsync("intruder", id);
        Assert.Equal(HttpStatusCode.Forbidden, noGrant.StatusCode);
        Assert.Equal("application/problem+json", noGrant.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no live grant", await noGrant.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The broker refuses live view of a recorded-only camera even when a policy would allow it.
        using var recordedOnly = await broker.PostLiveAsync("traffic", recorded);
        Assert.Equal(HttpStatusCode.Conflict, recordedOnly.StatusCode);

        using var hours = await broker.PostLiveAsync("traffic", outOfHours);
        Assert.Equal(HttpStatusCode.Conflict, hours.StatusCode);
        Assert.Contains("allowed hours", await hours.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var denials = broker.Audit.Events.Where(e => e.Action == AuditAction.AccessDenied && e.Outcome == AuditOutcome.Denied).ToList();
        Assert.Contains(denials, e => e.Actor == "intruder" && e.CameraId == id);
        Assert.Contains(denials, e => e.Actor == "traffic" && e.CameraId == recorded);
        Assert.Contains(denials, e => e.Actor == "traffic" && e.CameraId == outOfHours && e.Details!.Contains("allowed hours", StringComparison.Ordinal));
        Assert.Empty(broker.Paths.Paths);
    }

    [Fact]
    public async Task A_token_opens_only_its_own_session_and_camera()
    {
        var a = BrokerHost.NewCameraId();
        var b = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync();
        broker.Cameras.Add(a, "rtsp://127.0.0.1:9/none");
        broker.Cameras.Add(b, "rtsp://127.0.0.1:9/none");
        broker.Policy.Grant("traffic", a);
        broker.Policy.Grant("police", b);
        var mine = await broker.OpenSessionAsync("traffic", a);
        var theirs = await broker.OpenSessionAsync("police", b);

        // traffic's token on police's session (camera b) is refused, as is a made-up token.
        var stolen = theirs.WebSocketUrl.Split("?token=")[0] + "?token=" + mine.WebSocketUrl.Split("?token=")[1];
        using var client = new ClientWebSocket();
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(new Uri(stolen), CancellationToken.None));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        using var hls = await broker.Http.GetAsync(theirs.HlsUrl.Split("?token=")[0] + "?token=forged");
        Assert.Equal(HttpStatusCode.Unauthorized, hls.StatusCode);

        Assert.Equal(2, broker.Audit.Events.Count(e => e.Action == AuditAction.AccessDenied && e.SubjectId == theirs.SessionId));
        Assert.Empty(broker.Paths.Paths);
    }

    [Fact]
    public async Task Revoking_a_grant_ends_that_users_open_stream_within_five_seconds_and_is_audited()
    {
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync();
        broker.AddWatchableCamera(id, camera.Url);
        broker.Policy.Grant("operator2", id);
        await using var revoked = await broker.WatchAsync("traffic", id);
        await using var other = await broker.WatchAsync("operator2", id);
        Assert.True(await revoked.WaitForMessagesAsync(5, BrokerHost.Patience));

        broker.Policy.Revoke("traffic", id);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await broker.AccessFeed.RaiseAsync(new AccessChanged("traffic", null, "grant revoked by admin"));

        Assert.True(await Processes.EventuallyAsync(() => revoked.Closed, TimeSpan.FromSeconds(5)), "the revoked viewer still streams");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Contains(revoked.Events, e => e.Contains("\"type\":\"ended\"", StringComparison.Ordinal) && e.Contains("revoked", StringComparison.Ordinal));
        var audit = Assert.Single(broker.Audit.Events, e => e.Action == AuditAction.LiveViewRevoked);
        Assert.Equal("traffic", audit.Actor);
        Assert.Contains("bytesSent=", audit.Details, StringComparison.Ordinal);

        // The other user's view goes on.
        var before = other.BinaryMessages;
        Assert.True(await other.WaitForMessagesAsync(before + 5, BrokerHost.Patience));
        Assert.False(other.Closed);
    }

    [Fact]
    public async Task A_stalled_viewer_is_dropped_without_slowing_the_other_viewers()
    {
        await using var camera = await RtspCamera.StartAsync(fps: 15, kbits: 2000);
        var id = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync(new()
        {
            ["CameraHub:Broker:ViewerQueueLength"] = "16",
            ["CameraHub:Broker:SlowViewerTimeout"] = "00:00:03",
        });
        broker.AddWatchableCamera(id, camera.Url);
        await using var healthy = await broker.WatchAsync("traffic", id);
        Assert.True(await healthy.WaitForMessagesAsync(5, BrokerHost.Patience));

        var stalledSession = await broker.OpenSessionAsync("traffic", id);
        using var stalled = await StalledSocket.ConnectAsync(new Uri(stalledSession.WebSocketUrl));

        // Over the next eight seconds the healthy viewer keeps getting (nearly) every fragment the camera sent. Judged
        // against what the path received, not against 15 fps: on a machine busy with other test classes the camera
        // itself may send fewer, which says nothing about the broker.
        var path = broker.Paths.Find(id)!;
        var start = healthy.BinaryMessages;
        var sentBefore = path.FragmentsIn;
        await Task.Delay(TimeSpan.FromSeconds(8));
        var received = healthy.BinaryMessages - start;
        var sent = path.FragmentsIn - sentBefore;
        Assert.True(sent >= 8 * 15 / 4, $"the camera sent only {sent} fragments in 8 s");
        Assert.True(received >= sent * 0.8, $"healthy viewer got only {received} of the {sent} fragments the camera sent in 8 s");

        var stalledState = broker.Sessions.Open.FirstOrDefault(s => s.Id == stalledSession.SessionId);
        Assert.True(await Processes.EventuallyAsync(
            () => broker.Audit.Events.Any(e => e.Action == AuditAction.LiveViewEnded && e.SubjectId == stalledSession.SessionId), BrokerHost.Patience),
            $"the stalled viewer was never disconnected: sent {stalledState?.BytesSent} bytes, dropped {broker.Paths.Find(id)!.DroppedFragments}");
        var ended = broker.Audit.Events.Single(e => e.Action == AuditAction.LiveViewEnded && e.SubjectId == stalledSession.SessionId);
        Assert.Contains("too slow", ended.Details, StringComparison.Ordinal);
        Assert.False(healthy.Closed);
        Assert.Equal(1, broker.Paths.Find(id)!.UpstreamStarts);
    }
}
