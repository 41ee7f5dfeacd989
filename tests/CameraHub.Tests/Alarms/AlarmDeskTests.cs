using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.Tests.Infrastructure;
using static CameraHub.Tests.Alarms.AlarmApi;

namespace CameraHub.Tests.Alarms;

/// <summary>
/// The alarm desk through the whole hub on the real clock: a fake camera (ONVIF on 127.0.0.1) with event intake on,
/// scripted events, the queue's steps, visibility by the access policy, a camera restart and a camera without events.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AlarmDeskTests : IAsyncLifetime
{
    // A garage camera may film at all hours; a school camera's set hours would make the test depend on the real clock.
    private const string Garage = "GAR-T-01";
    private readonly HubFactory _hub = new(realTime: true, settings: new() { ["CameraHub:Alarms:PullWaitSeconds"] = "2" });
    private SimulatedCamera _camera = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _camera = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = Garage, Password = "Garage-Kamera-1", StartRtsp = false });
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("garageagare", HubRoles.CameraOwner, "framtiden");
        await _hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Category, "Traffic", CameraRight.Live | CameraRight.Playback);
        await _hub.CreateCameraAsync(SampleCameras.PermitGarage() with
        {
            OnvifUrl = _camera.DeviceServiceUri.ToString(),
            Username = "admin",
            Password = "Garage-Kamera-1",
        });
        _admin = await _hub.SignInAsAsync("admin");
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _camera.DisposeAsync();
    }

    [Fact]
    public async Task A_scripted_motion_event_reaches_the_queue_within_3_s_and_goes_through_acknowledge_comment_and_close_audited()
    {
        await EnableIntakeAsync(Garage);
        var events = _camera.Events!;
        Assert.True(await EventuallyAsync(() => Task.FromResult(events.Subscriptions == 1), TimeSpan.FromSeconds(10)), "the hub did not subscribe");

        var clock = Stopwatch.StartNew();
        events.Emit(FakeEvent.Motion, true);
        var alarm = await EventuallyAsync(async () => (await AlarmsAsync(_admin)).FirstOrDefault(a => a.GetProperty("kind").GetString() == "camera.Motion"), TimeSpan.FromSeconds(3));
        var delay = clock.Elapsed;

        Assert.True(alarm.ValueKind == JsonValueKind.Object, "no motion alarm within 3 s");
        Assert.True(delay < TimeSpan.FromSeconds(3), $"took {delay}");
        Assert.Equal("Info", alarm.GetProperty("severity").GetString());
        Assert.Equal("New", alarm.GetProperty("state").GetString());
        Assert.StartsWith("Motion on GAR-T-01", alarm.GetProperty("text").GetString());
        var id = alarm.GetProperty("id").GetInt64();

        // The camera's states as of subscribing are kept as events but raised nothing; the motion is there with its raw topic.
        var cameraEvents = await _admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/events");
        Assert.Contains(cameraEvents.EnumerateArray(), e => e.GetProperty("operation").GetString() == "Initialized" && e.GetProperty("category").GetString() == "Tamper");
        Assert.Contains(cameraEvents.EnumerateArray(), e => e.GetProperty("topic").GetString() == "tns1:RuleEngine/CellMotionDetector/Motion" && e.GetProperty("active").GetBoolean());
        Assert.Single(await AlarmsAsync(_admin));

        var owner = await _hub.SignInAsAsync("garageagare");
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/api/alarms/{id}/acknowledge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync($"/api/alarms/{id}/comments", new { text = "vaktmästaren går dit" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.PostAsJsonAsync($"/api/alarms/{id}/close", new { })).StatusCode);
        var closed = await (await owner.PostAsJsonAsync($"/api/alarms/{id}/close", new { outcome = "falsklarm: städning" })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("Closed", closed.GetProperty("state").GetString());
        Assert.Equal("garageagare", closed.GetProperty("acknowledgedBy").GetString());
        Assert.Equal("falsklarm: städning", closed.GetProperty("outcome").GetString());
        Assert.Equal("vaktmästaren går dit", closed.GetProperty("comments")[0].GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync($"/api/alarms/{id}/acknowledge", null)).StatusCode);
        // The DPO can audit who did what to the alarm.
        var dpo = await _hub.SignInAsAsync("dpo");
        foreach (var action in new[] { "AlarmAcknowledged", "AlarmCommented", "AlarmClosed" })
        {
            var audit = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?action={action}&camera={Garage}");
            Assert.Equal("garageagare", audit.GetProperty("items")[0].GetProperty("actor").GetString());
        }
    }

    [Fact]
    public async Task A_traffic_operator_never_sees_a_garage_cameras_alarms_or_events_and_cannot_step_them()
    {
        await EnableIntakeAsync(Garage);
        Assert.True(await EventuallyAsync(() => Task.FromResult(_camera.Events!.Subscriptions == 1), TimeSpan.FromSeconds(10)));
        _camera.Events!.Emit(FakeEvent.Tamper, true);
        var alarm = await EventuallyAsync(async () => (await AlarmsAsync(_admin)).FirstOrDefault(), TimeSpan.FromSeconds(5));
        Assert.Equal("Major", alarm.GetProperty("severity").GetString());
        var id = alarm.GetProperty("id").GetInt64();

        var traffic = await _hub.SignInAsAsync("traffic");
        var owner = await _hub.SignInAsAsync("garageagare");

        Assert.Empty(await AlarmsAsync(traffic));
        Assert.Single(await AlarmsAsync(owner));
        Assert.Equal(HttpStatusCode.Forbidden, (await traffic.GetAsync($"/api/cameras/{Garage}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await traffic.PostAsync($"/api/alarms/{id}/acknowledge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _hub.CreateClient().GetAsync("/api/alarms")).StatusCode);
    }

    [Fact]
    public async Task After_a_camera_restart_the_hub_subscribes_again_and_the_repeated_state_raises_no_second_alarm()
    {
        await EnableIntakeAsync(Garage);
        var events = _camera.Events!;
        Assert.True(await EventuallyAsync(() => Task.FromResult(events.Subscriptions == 1), TimeSpan.FromSeconds(10)));
        events.Emit(FakeEvent.DigitalInput, true);
        Assert.True((await EventuallyAsync(async () => (await AlarmsAsync(_admin)).FirstOrDefault(), TimeSpan.FromSeconds(5))).ValueKind == JsonValueKind.Object);

        events.Restart();

        Assert.True(await EventuallyAsync(() => Task.FromResult(events.Created == 2 && events.Subscriptions == 1), TimeSpan.FromSeconds(15)), "no new subscription after the restart");
        // The input is still on: the new subscription's Initialized message repeats it, and the queue stays at one alarm.
        var intake = await _admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/event-intake");
        Assert.Equal("Subscribed", intake.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal(2, intake.GetProperty("status").GetProperty("subscriptions").GetInt32());
        Assert.Single(await AlarmsAsync(_admin));
        var inputs = (await _admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/events")).EnumerateArray()
            .Count(e => e.GetProperty("category").GetString() == "DigitalInput" && e.GetProperty("active").GetBoolean());
        Assert.Equal(2, inputs);
    }

    [Fact]
    public async Task A_camera_without_an_event_service_is_reported_once_as_a_hub_alarm_not_retried_in_a_loop()
    {
        await using var plain = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = "GAR-T-02", Password = "Garage-Kamera-2", StartRtsp = false, EventService = false });
        await _hub.CreateCameraAsync(SampleCameras.PermitGarage("GAR-T-02") with
        {
            OnvifUrl = plain.DeviceServiceUri.ToString(),
            Username = "admin",
            Password = "Garage-Kamera-2",
        });

        await EnableIntakeAsync("GAR-T-02");

        var alarm = await EventuallyAsync(async () => (await AlarmsAsync(_admin)).FirstOrDefault(), TimeSpan.FromSeconds(10));
        Assert.Equal("hub.NoEventService", alarm.GetProperty("kind").GetString());
        Assert.Contains("lists no events service", alarm.GetProperty("text").GetString());
        await Task.Delay(TimeSpan.FromSeconds(2));
        var intake = await _admin.GetFromJsonAsync<JsonElement>("/api/cameras/GAR-T-02/event-intake");
        Assert.Equal("NoEventService", intake.GetProperty("status").GetProperty("state").GetString());
        Assert.Single(await AlarmsAsync(_admin));
        // The garage's owner is the owner concerned; a traffic operator is not.
        Assert.Single(await AlarmsAsync(await _hub.SignInAsAsync("garageagare")));
        Assert.Empty(await AlarmsAsync(await _hub.SignInAsAsync("traffic")));
    }

    [Fact]
    public async Task Bookmarks_need_the_playback_right_and_are_listed_for_the_window_they_cover()
    {
        // Video rights never come with a role: the owner's operator gets a playback grant on the camera.
        await _hub.GrantAsync(GrantSubjectKind.User, "garageagare", GrantScopeKind.Camera, Garage, CameraRight.Playback);
        var owner = await _hub.SignInAsAsync("garageagare");
        var at = new DateTimeOffset(2026, 11, 24, 18, 30, 0, TimeSpan.Zero);
        using var created = await owner.PostAsJsonAsync($"/api/cameras/{Garage}/bookmarks", new { at, to = at.AddMinutes(2), note = "fönster krossat" });
        using var bad = await owner.PostAsJsonAsync($"/api/cameras/{Garage}/bookmarks", new { at, note = "" });
        var traffic = await _hub.SignInAsAsync("traffic");
        using var refused = await traffic.PostAsJsonAsync($"/api/cameras/{Garage}/bookmarks", new { at, note = "x" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var inside = await _admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/bookmarks?from={Uri.EscapeDataString(at.AddMinutes(1).ToString("O"))}&to={Uri.EscapeDataString(at.AddHours(1).ToString("O"))}");
        var outside = await _admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/bookmarks?from={Uri.EscapeDataString(at.AddHours(1).ToString("O"))}");
        Assert.Equal("fönster krossat", inside[0].GetProperty("note").GetString());
        Assert.Equal(0, outside.GetArrayLength());
        var audit = await _admin.GetFromJsonAsync<JsonElement>($"/api/audit?action=BookmarkCreated&camera={Garage}");
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
    }

    private async Task EnableIntakeAsync(string cameraId)
    {
        using var response = await _admin.PutAsJsonAsync($"/api/cameras/{cameraId}/event-intake", new { enabled = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
