using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.Tests.Live;

/// <summary>Live view through the whole hub: sign-in, the real access policy and audit log, a real RTSP camera.</summary>
[Trait("Category", "Integration")]
public sealed class LiveThroughHubTests : IAsyncLifetime
{
    private const string CameraId = "TRF-L-01";
    private readonly HubFactory _hub = new();
    private RtspTestPattern _camera = null!;

    public async Task InitializeAsync()
    {
        _camera = await RtspTestPattern.StartAsync(CameraId, 320, 240, 10, NullLogger.Instance, CancellationToken.None);
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("outsider", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateCameraAsync(SampleCameras.Traffic(CameraId) with { RtspUrl = _camera.Uri.ToString() });
        await _hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, CameraId, CameraRight.Live);
    }

    /// <summary>Reads until three video fragments arrived; throws when <paramref name="within"/> passes first.</summary>
    internal static async Task ReceiveVideoAsync(WebSocket socket, TimeSpan within)
    {
        var binary = 0;
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(within);
        while (binary < 3)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            binary += result.MessageType == WebSocketMessageType.Binary && result.EndOfMessage ? 1 : 0;
        }
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _camera.DisposeAsync();
    }

    [Fact]
    public async Task A_granted_operator_watches_over_the_WebSocket_and_the_view_is_audited()
    {
        var traffic = await _hub.SignInAsAsync("traffic");
        using var response = await traffic.PostAsync($"/api/cameras/{CameraId}/live", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = (await response.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;

        // The stream URL carries its own token: no bearer header on the WebSocket, as in a browser.
        var socket = await _hub.Server.CreateWebSocketClient().ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        await ReceiveVideoAsync(socket, TimeSpan.FromSeconds(30));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        var dpo = await _hub.SignInAsAsync("dpo");
        var started = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={CameraId}&action=LiveViewStarted", HubFactory.Json);
        Assert.Equal(1, started.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Correcting_a_cameras_address_through_the_API_reconnects_its_open_upstream_at_once()
    {
        // The hub's clock is a fake one here: the broker's reconnect backoff never ends by itself, so video after the
        // edit can only come from the edit.
        const string Moved = "TRF-L-02";
        var deadAddress = $"rtsp://127.0.0.1:{RtspCamera.FreePort()}/{Moved}";
        await _hub.CreateCameraAsync(SampleCameras.Traffic(Moved) with { RtspUrl = deadAddress });
        await _hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Moved, CameraRight.Live);
        var traffic = await _hub.SignInAsAsync("traffic");
        using var opened = await traffic.PostAsync($"/api/cameras/{Moved}/live", null);
        var session = (await opened.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;
        var socket = await _hub.Server.CreateWebSocketClient().ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        var paths = _hub.Services.GetRequiredService<PathManager>();
        Assert.True(await Processes.EventuallyAsync(() => paths.Find(Moved)?.Status.State == StreamBroker.Events.CameraLiveState.Offline, TimeSpan.FromSeconds(20)));

        var admin = await _hub.SignInAsAsync("admin");
        using (var edited = await admin.PutAsJsonAsync($"/api/cameras/{Moved}", SampleCameras.Traffic(Moved) with { RtspUrl = _camera.Uri.ToString() }, HubFactory.Json))
        {
            Assert.True(edited.IsSuccessStatusCode, await edited.Content.ReadAsStringAsync());
        }

        await ReceiveVideoAsync(socket, TimeSpan.FromSeconds(20));

        Assert.Equal(2, paths.Find(Moved)!.UpstreamStarts);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task Without_a_grant_the_hub_answers_403_and_audits_the_denial_and_anonymous_callers_get_401()
    {
        var outsider = await _hub.SignInAsAsync("outsider");
        using var refused = await outsider.PostAsync($"/api/cameras/{CameraId}/live", null);
        using var anonymous = await _hub.CreateClient().PostAsync($"/api/cameras/{CameraId}/live", null);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var dpo = await _hub.SignInAsAsync("dpo");
        var denied = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={CameraId}&action=AccessDenied&actor=outsider", HubFactory.Json);
        Assert.Equal(1, denied.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_console_and_the_live_page_are_served_to_anyone_and_the_player_uses_MSE()
    {
        var anonymous = _hub.CreateClient(new WebApplicationFactoryClientOptions());
        Assert.Contains("/console/app.js", await anonymous.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("StreamPlayer", await anonymous.GetStringAsync("/live.html"), StringComparison.Ordinal);
        Assert.Contains("MediaSource", await anonymous.GetStringAsync("/console/player.js"), StringComparison.Ordinal);
        // The console's third-party scripts are the hub's own files, not a CDN's.
        using var signalr = await anonymous.GetAsync("/lib/signalr.min.js");
        Assert.Equal(HttpStatusCode.OK, signalr.StatusCode);
    }

    [Fact]
    public async Task Camera_events_reach_only_users_who_may_follow_the_camera()
    {
        var traffic = await _hub.SignInAsAsync("traffic");
        var outsider = await _hub.SignInAsAsync("outsider");
        await using var granted = await EventsAsync(traffic);
        await using var nosy = await EventsAsync(outsider);
        var seenByGranted = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        var seenByNosy = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        granted.On<JsonElement>("viewerCount", e => seenByGranted.Enqueue(e));
        nosy.On<JsonElement>("viewerCount", e => seenByNosy.Enqueue(e));

        Assert.Equal([CameraId], await granted.InvokeAsync<string[]>("Follow", new[] { CameraId }));
        Assert.Empty(await nosy.InvokeAsync<string[]>("Follow", new[] { CameraId }));

        using var response = await traffic.PostAsync($"/api/cameras/{CameraId}/live", null);
        var session = (await response.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;
        var socket = await _hub.Server.CreateWebSocketClient().ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        Assert.True(await Processes.EventuallyAsync(() => seenByGranted.Any(e => e.GetProperty("viewers").GetInt32() >= 1), TimeSpan.FromSeconds(30)),
            "the granted user heard no viewer count");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Empty(seenByNosy);
    }

    private async Task<Microsoft.AspNetCore.SignalR.Client.HubConnection> EventsAsync(HttpClient user)
    {
        var token = user.DefaultRequestHeaders.Authorization!.Parameter;
        var connection = new Microsoft.AspNetCore.SignalR.Client.HubConnectionBuilder()
            .WithUrl(new Uri(_hub.Server.BaseAddress, "/hubs/events"), o =>
            {
                o.HttpMessageHandlerFactory = _ => _hub.Server.CreateHandler();
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        await connection.StartAsync();
        return connection;
    }
}
