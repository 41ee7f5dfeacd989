using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.Recording;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CameraHub.Tests.Alarms.AlarmApi;

namespace CameraHub.Tests.Alarms;

/// <summary>
/// A recorded camera whose writer cannot keep up drops footage (a gap in its recording): the real hub, a real camera
/// and the real recorder raise the gap alarm, and it clears once the writer records again.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RecordingGapAlarmTests
{
    [Fact]
    public async Task A_writer_dropping_footage_raises_a_recording_gap_alarm_for_its_camera_which_clears_when_it_records_again()
    {
        var id = $"TRF-G-{Guid.NewGuid():N}"[..14];
        await using var camera = await RtspTestPattern.StartAsync(id, 320, 240, 10, NullLogger.Instance, CancellationToken.None);
        // A backlog cap smaller than one frame: the writer is behind the moment a frame arrives, as on a disk that
        // cannot take even one more, so it drops footage for real.
        await using var hub = new HubFactory(realTime: true, settings: new()
        {
            ["CameraHub:Recording:Enabled"] = "true",
            ["CameraHub:Recording:MinFreeBytes"] = "0",
            ["CameraHub:Recording:ScheduleInterval"] = "00:00:01",
            ["CameraHub:Recording:MaxQueuedBytesPerCamera"] = "100",
        });
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        await hub.CreateCameraAsync(SampleCameras.Traffic(id) with { Mode = CameraMode.LiveAndRecorded, RetentionDays = 7, RtspUrl = camera.Uri.ToString() });
        var watch = hub.Services.GetRequiredService<HubAlarmWatch>();
        var admin = await hub.SignInAsAsync("admin");

        var alarm = await EventuallyAsync(async () =>
        {
            await watch.CheckOnceAsync(CancellationToken.None);
            return (await GapsAsync(admin, id)).FirstOrDefault();
        }, TimeSpan.FromSeconds(60));
        Assert.True(alarm.ValueKind == JsonValueKind.Object, "no recording-gap alarm within 60 s");
        Assert.Equal("Major", alarm.GetProperty("severity").GetString());
        Assert.Equal(id, alarm.GetProperty("cameraId").GetString());
        Assert.Contains("losing footage", alarm.GetProperty("text").GetString(), StringComparison.Ordinal);

        // The disk catches up (the cap is the writer's own, read on every frame): recording resumes at a keyframe.
        hub.Services.GetRequiredService<IOptions<RecordingOptions>>().Value.MaxQueuedBytesPerCamera = 64L << 20;
        Assert.True(await EventuallyAsync(async () =>
        {
            await watch.CheckOnceAsync(CancellationToken.None);
            return (await GapsAsync(admin, id)).All(a => a.GetProperty("clearedAt").ValueKind == JsonValueKind.String);
        }, TimeSpan.FromSeconds(60)), "the gap alarm was not cleared once the writer recorded again");
        Assert.DoesNotContain(id, hub.Services.GetRequiredService<RecordingMonitor>().Current().CamerasDropping);
    }

    private static async Task<List<JsonElement>> GapsAsync(HttpClient admin, string camera) =>
        [.. (await AlarmsAsync(admin)).Where(a => a.GetProperty("kind").GetString() == HubAlarmKinds.RecordingGap && a.GetProperty("cameraId").GetString() == camera)];
}
