using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Tests.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CameraHub.StreamBroker.Tests.Recording;

/// <summary>Which cameras are recorded when: the school's night-and-weekend window across daylight-saving nights.</summary>
public sealed class RecordingScheduleTests
{
    private const string SchoolHours = "Mon-Fri 20:00-06:00; Sat-Sun 17:00-07:00";

    private static CameraSource School(CameraMode mode = CameraMode.RecordedOnly) =>
        new TestDirectory().Add("school-1", "rtsp://127.0.0.1:9/none", mode: mode, allowedHours: SchoolHours, retentionDays: 7);

    [Theory]
    // Spring forward, Sunday 29 March 2026: 07:00 local is 05:00 UTC (CEST), not 06:00.
    [InlineData("2026-03-29T04:59:00Z", true)]
    [InlineData("2026-03-29T05:00:01Z", false)]
    [InlineData("2026-03-29T01:30:00Z", true)] // the hour that does not exist locally is inside the window
    // Fall back, Sunday 25 October 2026: 07:00 local is 06:00 UTC (CET) again.
    [InlineData("2026-10-25T05:59:00Z", true)]
    [InlineData("2026-10-25T06:00:01Z", false)]
    // A school day: Friday 27 March, 20:00 CET opens at 19:00 UTC.
    [InlineData("2026-03-27T18:59:59Z", false)]
    [InlineData("2026-03-27T19:00:00Z", true)]
    public void A_school_camera_is_recorded_only_inside_its_allowed_hours(string utc, bool recorded)
    {
        var decision = UpstreamSchedule.ForRecording(School(), DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(recorded, decision.Open);
    }

    [Fact]
    public void The_next_change_on_the_spring_forward_night_is_seven_local_summer_time()
    {
        var decision = UpstreamSchedule.ForRecording(School(), new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.Zero));

        Assert.True(decision.Open);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 5, 0, 0, TimeSpan.Zero), decision.NextChange);
    }

    [Fact]
    public void A_live_only_camera_or_one_without_a_valid_basis_is_never_recorded()
    {
        var always = new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.Zero);

        Assert.False(UpstreamSchedule.ForRecording(School(CameraMode.LiveOnly), always).Open);
        Assert.False(UpstreamSchedule.ForRecording(School() with { LegalBasisValid = false }, always).Open);
        Assert.False(UpstreamSchedule.ForRecording(School() with { Status = CameraStatus.Decommissioned }, always).Open);
    }

    [Fact]
    public void The_recorder_refuses_a_live_only_camera_whoever_asks()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CameraRecorder.Start(
            School(CameraMode.LiveOnly), new RecordingOptions(), null!, new TestDirectory(), TimeProvider.System, NullLogger.Instance));

        Assert.Contains("live only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_recorder_starts_and_stops_a_camera_at_its_schedule_edges_across_the_daylight_saving_night()
    {
        // Friday 27 March 2026, one minute before the school window opens (20:00 CET = 19:00 UTC).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 27, 18, 59, 0, TimeSpan.Zero));
        await using var host = await RecordingHost.StartAsync(recording: false, time,
            settings: new() { ["CameraHub:Recording:ScheduleInterval"] = "01:00:00" });
        var id = BrokerHost.NewCameraId();
        host.Cameras.Add(id, $"rtsp://127.0.0.1:{RtspCamera.FreePort()}/none", mode: CameraMode.RecordedOnly, allowedHours: SchoolHours, retentionDays: 7);

        var wait = await host.Recorder.ApplyAsync(CancellationToken.None);
        Assert.Empty(host.Recorder.RecordingCameras);
        Assert.Null(host.Paths.Find(id));
        Assert.InRange(wait, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(61)); // wakes at the edge, not an hour later

        time.Advance(wait);
        await host.Recorder.ApplyAsync(CancellationToken.None);
        Assert.Equal([id], host.Recorder.RecordingCameras);
        Assert.True(host.Paths.Find(id)?.IsRecorded);

        // Sunday 29 March, the spring-forward night: still recording just before 07:00 CEST (05:00 UTC)...
        time.SetUtcNow(new DateTimeOffset(2026, 3, 29, 4, 59, 30, TimeSpan.Zero));
        wait = await host.Recorder.ApplyAsync(CancellationToken.None);
        Assert.Equal([id], host.Recorder.RecordingCameras);
        Assert.InRange(wait, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31));

        // ...and stopped right after it, an hour earlier in UTC than in winter.
        time.Advance(wait);
        await host.Recorder.ApplyAsync(CancellationToken.None);
        Assert.Empty(host.Recorder.RecordingCameras);
        Assert.False(host.Paths.Find(id)?.IsRecorded ?? false);
    }
}
