using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.Onvif.Events;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static CameraHub.Tests.Alarms.AlarmApi;

namespace CameraHub.Tests.Alarms;

/// <summary>A camera that floods events gets one alarm per kind with a count and one alarm saying so; old events go.</summary>
public sealed class EventFloodTests
{
    private const string Garage = "GAR-F-01";

    [Fact]
    public async Task A_flooding_camera_fills_one_alarm_with_a_count_raises_one_flood_alarm_and_calms_down_after_a_quiet_window()
    {
        await using var hub = new HubFactory(settings: new()
        {
            ["CameraHub:Alarms:FloodEventsPerWindow"] = "5",
            ["CameraHub:Alarms:FloodWindowSeconds"] = "60",
        });
        var (store, admin) = await StartAsync(hub);

        for (var batch = 0; batch < 4; batch++)
        {
            await store.IngestAsync(Garage, [.. Enumerable.Range(0, 10).Select(_ => Motion(hub.Time.GetUtcNow()))], CancellationToken.None);
            hub.Time.Advance(TimeSpan.FromSeconds(5));
        }

        var alarms = await AlarmsAsync(admin);
        var motion = Assert.Single(alarms, a => a.GetProperty("kind").GetString() == "camera.Motion");
        Assert.Equal(40, motion.GetProperty("count").GetInt32());
        var flood = Assert.Single(alarms, a => a.GetProperty("kind").GetString() == HubAlarmKinds.CameraFlooding);
        Assert.Contains("more than 5 events within 60 s", flood.GetProperty("text").GetString(), StringComparison.Ordinal);
        var events = await admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/events");
        Assert.Equal(5, events.GetArrayLength()); // the limit's worth; the rest counted on the alarm

        // A whole window under the limit: the flood alarm is cleared by the watch.
        var watch = hub.Services.GetRequiredService<HubAlarmWatch>();
        hub.Time.Advance(TimeSpan.FromSeconds(61));
        await store.IngestAsync(Garage, [Motion(hub.Time.GetUtcNow())], CancellationToken.None);
        await watch.CheckOnceAsync(CancellationToken.None);
        Assert.Equal(JsonValueKind.Null, Single(await AlarmsAsync(admin), HubAlarmKinds.CameraFlooding).GetProperty("clearedAt").ValueKind);
        hub.Time.Advance(TimeSpan.FromSeconds(61));
        await watch.CheckOnceAsync(CancellationToken.None);

        Assert.Equal(JsonValueKind.String, Single(await AlarmsAsync(admin), HubAlarmKinds.CameraFlooding).GetProperty("clearedAt").ValueKind);
    }

    [Fact]
    public async Task A_repeat_after_acknowledging_adds_to_the_alarm_within_the_fold_window_and_raises_a_new_one_after_it()
    {
        await using var hub = new HubFactory(settings: new() { ["CameraHub:Alarms:FoldWindowSeconds"] = "300" });
        var (store, admin) = await StartAsync(hub);
        var first = Assert.Single(await store.IngestAsync(Garage, [Motion(hub.Time.GetUtcNow())], CancellationToken.None));
        using (var ack = await admin.PostAsync($"/api/alarms/{first.Id}/acknowledge", null))
        {
            Assert.True(ack.IsSuccessStatusCode);
        }

        hub.Time.Advance(TimeSpan.FromMinutes(2));
        await store.IngestAsync(Garage, [Motion(hub.Time.GetUtcNow())], CancellationToken.None);
        Assert.Equal(2, Single(await AlarmsAsync(admin), "camera.Motion").GetProperty("count").GetInt32());

        hub.Time.Advance(TimeSpan.FromMinutes(6));
        await store.IngestAsync(Garage, [Motion(hub.Time.GetUtcNow())], CancellationToken.None);
        Assert.Equal(2, (await AlarmsAsync(admin)).Count(a => a.GetProperty("kind").GetString() == "camera.Motion"));
    }

    [Fact]
    public async Task Events_past_their_retention_are_removed_and_the_alarm_they_raised_stays()
    {
        // A retention of 0.01 days (14.4 minutes) so the clock moves minutes, not weeks.
        await using var hub = new HubFactory(settings: new() { ["CameraHub:Alarms:EventRetentionDays"] = "0.01", ["CameraHub:Alarms:FoldWindowSeconds"] = "60" });
        var (store, admin) = await StartAsync(hub);
        var first = Assert.Single(await store.IngestAsync(Garage, [Motion(hub.Time.GetUtcNow())], CancellationToken.None));
        using (var closed = await admin.PostAsJsonAsync($"/api/alarms/{first.Id}/close", new { outcome = "katten" }))
        {
            Assert.True(closed.IsSuccessStatusCode); // closed: the next motion is an alarm of its own
        }

        hub.Time.Advance(TimeSpan.FromMinutes(10));
        await store.IngestAsync(Garage, [Motion(hub.Time.GetUtcNow())], CancellationToken.None);
        var sweeper = hub.Services.GetRequiredService<CameraEventSweeper>();

        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        hub.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await sweeper.SweepAsync(CancellationToken.None));

        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/events")).GetArrayLength());
        Assert.Equal(2, (await AlarmsAsync(admin)).Count(a => a.GetProperty("kind").GetString() == "camera.Motion"));
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=CameraEventsDeleted");
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
    }

    private static async Task<(AlarmStore Store, HttpClient Admin)> StartAsync(HubFactory hub)
    {
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        await hub.CreateCameraAsync(SampleCameras.PermitGarage(Garage));
        return (hub.Services.GetRequiredService<AlarmStore>(), await hub.SignInAsAsync("admin"));
    }

    private static JsonElement Single(List<JsonElement> alarms, string kind) => Assert.Single(alarms, a => a.GetProperty("kind").GetString() == kind);

    private static OnvifNotification Motion(DateTimeOffset at) =>
        new("tns1:RuleEngine/CellMotionDetector/Motion", "RuleEngine/CellMotionDetector/Motion", CameraEventCategory.Motion, at, at, "Changed",
            new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string> { ["IsMotion"] = "true" }, "<NotificationMessage/>");
}
