using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.Live;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static CameraHub.Tests.Alarms.AlarmApi;

namespace CameraHub.Tests.Alarms;

/// <summary>The hub's own alarms, each caused for real and cleared when the cause is gone.</summary>
[Trait("Category", "Integration")]
public sealed class HubAlarmTests
{
    [Fact]
    public async Task A_permit_expiring_within_30_days_raises_one_alarm_for_its_owner_and_a_renewed_permit_clears_it()
    {
        // The hub's clock: 24 November 2026. The permit ends on 10 December.
        await using var hub = new HubFactory();
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        await hub.CreateUserAsync("housing", HubRoles.CameraOwner, "framtiden");
        await hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        var garage = SampleCameras.PermitGarage();
        await hub.CreateCameraAsync(garage with { LegalBasis = Permit(garage.LegalBasis!, new DateOnly(2026, 12, 10)) });
        var watch = hub.Services.GetRequiredService<HubAlarmWatch>();

        await watch.CheckOnceAsync(CancellationToken.None);
        await watch.CheckOnceAsync(CancellationToken.None);

        var housing = await hub.SignInAsAsync("housing");
        var alarm = Assert.Single(await AlarmsAsync(housing));
        Assert.Equal("hub.LegalBasisDue", alarm.GetProperty("kind").GetString());
        Assert.Equal("Warning", alarm.GetProperty("severity").GetString());
        Assert.Contains("GAR-T-01 (2026-12-10)", alarm.GetProperty("text").GetString());
        Assert.Empty(await AlarmsAsync(await hub.SignInAsAsync("traffic")));

        var admin = await hub.SignInAsAsync("admin");
        using (var renewed = await admin.PutAsJsonAsync("/api/cameras/GAR-T-01", garage with { LegalBasis = Permit(garage.LegalBasis!, new DateOnly(2027, 6, 30)) }, HubFactory.Json))
        {
            Assert.True(renewed.IsSuccessStatusCode, await renewed.Content.ReadAsStringAsync());
        }

        await watch.CheckOnceAsync(CancellationToken.None);

        var cleared = Assert.Single(await AlarmsAsync(housing));
        Assert.Equal(JsonValueKind.String, cleared.GetProperty("clearedAt").ValueKind);
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=HubAlarmCleared");
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_watched_camera_offline_past_the_threshold_raises_an_alarm_cleared_when_it_streams_again()
    {
        await using var hub = new HubFactory(realTime: true, settings: new()
        {
            ["CameraHub:Alarms:CameraOfflineSeconds"] = "1",
            ["CameraHub:Alarms:CheckSeconds"] = "1",
        });
        const string Id = "TRF-A-01";
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        await hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        var dead = $"rtsp://127.0.0.1:{FreePort()}/{Id}";
        await hub.CreateCameraAsync(SampleCameras.Traffic(Id) with { RtspUrl = dead });
        await hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Id, CameraRight.Live);
        var traffic = await hub.SignInAsAsync("traffic");
        using var opened = await traffic.PostAsync($"/api/cameras/{Id}/live", null);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;
        using var socket = await hub.Server.CreateWebSocketClient().ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        var admin = await hub.SignInAsAsync("admin");

        var alarm = await EventuallyAsync(async () => (await AlarmsAsync(admin)).FirstOrDefault(a => a.GetProperty("kind").GetString() == "hub.CameraOffline"), TimeSpan.FromSeconds(30));

        Assert.Equal(JsonValueKind.Object, alarm.ValueKind);
        Assert.Equal("Major", alarm.GetProperty("severity").GetString());
        Assert.StartsWith($"Camera {Id}", alarm.GetProperty("text").GetString());
        Assert.Single(await AlarmsAsync(admin));

        await using var camera = await RtspTestPattern.StartAsync(Id, 320, 240, 10, NullLogger.Instance, CancellationToken.None);
        using (var fixedAddress = await admin.PutAsJsonAsync($"/api/cameras/{Id}", SampleCameras.Traffic(Id) with { RtspUrl = camera.Uri.ToString() }, HubFactory.Json))
        {
            Assert.True(fixedAddress.IsSuccessStatusCode, await fixedAddress.Content.ReadAsStringAsync());
        }

        var cleared = await EventuallyAsync(async () => (await AlarmsAsync(admin)).FirstOrDefault(a => a.GetProperty("clearedAt").ValueKind == JsonValueKind.String), TimeSpan.FromSeconds(30));
        Assert.Equal(JsonValueKind.Object, cleared.ValueKind);
        Assert.Equal(Online, hub.Services.GetRequiredService<PathManager>().Find(Id)?.Status.State);
    }

    private const StreamBroker.Events.CameraLiveState Online = StreamBroker.Events.CameraLiveState.Online;

    private static LegalBasis Permit(LegalBasis basis, DateOnly until) => new()
    {
        Kind = basis.Kind, Reference = basis.Reference, DecidedOn = basis.DecidedOn, PermitValidUntil = until,
        PermitMaxRetentionDays = basis.PermitMaxRetentionDays, GdprArticle = basis.GdprArticle, Purpose = basis.Purpose,
    };

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
