using System.Collections.Concurrent;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>What a console listening on /hubs/events learns about cameras and viewers.</summary>
[Trait("Category", "Integration")]
public sealed class CameraEventsTests
{
    [Fact]
    public async Task SignalR_listeners_see_viewer_counts_and_the_camera_going_offline_and_online_again()
    {
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync();
        broker.AddWatchableCamera(id, camera.Url);
        // The listener follows only cameras its user has a right on.
        broker.Policy.Grant("dispatcher", id);

        var statuses = new ConcurrentQueue<CameraStatusEvent>();
        var counts = new ConcurrentQueue<ViewerCountEvent>();
        await using var events = new HubConnectionBuilder()
            .WithUrl(new Uri(broker.Address, "/hubs/events"), o => o.Headers["X-Test-User"] = "dispatcher")
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
            .Build();
        events.On<CameraStatusEvent>(CameraEventsHub.CameraStatus, s => statuses.Enqueue(s));
        events.On<ViewerCountEvent>(CameraEventsHub.ViewerCount, c => counts.Enqueue(c));
        await events.StartAsync();
        Assert.Equal([id], await events.InvokeAsync<string[]>(nameof(CameraEventsHub.Follow), new[] { id, "NOT-IN-REGISTRY" }));

        await using var first = await broker.WatchAsync("traffic", id);
        await using var second = await broker.WatchAsync("traffic", id);
        Assert.True(await Processes.EventuallyAsync(() => counts.Any(c => c.CameraId == id && c.Viewers == 2), BrokerHost.Patience), "no viewer count of 2");
        Assert.True(await Processes.EventuallyAsync(() => statuses.Any(s => s.CameraId == id && s.State == CameraLiveState.Online), BrokerHost.Patience));

        await camera.StopAsync();
        Assert.True(await Processes.EventuallyAsync(() => statuses.Any(s => s.CameraId == id && s.State == CameraLiveState.Offline && s.Reason is not null), BrokerHost.Patience),
            "no offline status with a reason");
        await camera.StartServerAsync();
        Assert.True(await Processes.EventuallyAsync(() => statuses.Count(s => s.CameraId == id && s.State == CameraLiveState.Online) >= 2, BrokerHost.Patience),
            "no second online status after the camera returned");

        var live = await first.WaitForMessagesAsync(first.BinaryMessages + 5, BrokerHost.Patience);
        Assert.True(live, "video did not resume for a viewer");

        // Someone without a right on the camera learns nothing of it: not its state, not how many watch.
        Assert.Equal(2, (await broker.ViewersAsync(id, "dispatcher")).Viewers);
        using var outsider = new HttpRequestMessage(HttpMethod.Get, $"/api/cameras/{id}/viewers");
        outsider.Headers.Add("X-Test-User", "stranger");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await broker.Http.SendAsync(outsider)).StatusCode);
        using var status = new HttpRequestMessage(HttpMethod.Get, "/api/live/status");
        status.Headers.Add("X-Test-User", "stranger");
        Assert.Equal("[]", await (await broker.Http.SendAsync(status)).Content.ReadAsStringAsync());
    }
}
