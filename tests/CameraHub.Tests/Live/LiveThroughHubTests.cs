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
using CameraHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
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
        await _hub.CreateCameraAsync(SampleCameras.Traffic(CameraId) with { RtspUrl = _camera.Uri.ToString() });
        await _hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, CameraId, CameraRight.Live);
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
        var binary = 0;
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (binary < 3)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            binary += result.MessageType == WebSocketMessageType.Binary && result.EndOfMessage ? 1 : 0;
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        var dpo = await _hub.SignInAsAsync("dpo");
        var started = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={CameraId}&action=LiveViewStarted", HubFactory.Json);
        Assert.Equal(1, started.GetProperty("total").GetInt32());
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
    public async Task The_live_page_is_served_to_anyone()
    {
        using var page = await _hub.CreateClient(new WebApplicationFactoryClientOptions()).GetAsync("/live.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("MediaSource", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
