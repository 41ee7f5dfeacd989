using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Retention;
using CameraHub.StreamBroker.Tests.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CameraHub.StreamBroker.Tests.Recording;

/// <summary>Retention deletes exactly the expired footage not under a legal hold, audited in batches; a full disk pauses recording.</summary>
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_sweeper_deletes_expired_unheld_segments_keeps_held_ones_and_applies_a_changed_retention_on_the_next_sweep()
    {
        var time = new FakeTimeProvider(Now);
        await using var host = await RecordingHost.StartAsync(recording: false, time, settings: new() { ["CameraHub:Recording:DeleteBatchSize"] = "2" });
        host.Cameras.Add("cam-r", "rtsp://127.0.0.1:9/none", mode: CameraMode.RecordedOnly, retentionDays: 7);
        host.Cameras.Add("cam-other", "rtsp://127.0.0.1:9/none", mode: CameraMode.RecordedOnly, retentionDays: 30);
        var old10 = await AddSegmentAsync(host, "cam-r", Now.AddDays(-10));
        var old9 = await AddSegmentAsync(host, "cam-r", Now.AddDays(-9));
        var old8a = await AddSegmentAsync(host, "cam-r", Now.AddDays(-8));
        var old8b = await AddSegmentAsync(host, "cam-r", Now.AddDays(-8).AddMinutes(1));
        var recent = await AddSegmentAsync(host, "cam-r", Now.AddDays(-6));
        var otherOld = await AddSegmentAsync(host, "cam-other", Now.AddDays(-10));

        // An administrator holds day -9 for a case; an expired hold on day -10 protects nothing.
        using var created = await host.SendAsync(HttpMethod.Post, "/api/legal-holds", "admin", new LegalHoldRequest(
            "cam-r", Now.AddDays(-9).AddMinutes(-5), Now.AddDays(-9).AddMinutes(5), "K-2026-4711", Now.AddDays(30)), role: "Administrator");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hold = (await created.Content.ReadFromJsonAsync<LegalHoldView>(JsonSerializerOptions.Web))!;
        Assert.True(hold.Active);
        using var unknown = await host.SendAsync(HttpMethod.Post, "/api/legal-holds", "admin", new LegalHoldRequest(
            "no-such-camera", Now.AddDays(-9), Now, "K-2026-4711", Now.AddDays(30)), role: "Administrator");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var longCase = await host.SendAsync(HttpMethod.Post, "/api/legal-holds", "admin", new LegalHoldRequest(
            "cam-r", Now.AddDays(-9), Now, new string('1', 5000), Now.AddDays(30)), role: "Administrator");
        Assert.Equal(HttpStatusCode.BadRequest, longCase.StatusCode);
        Assert.Contains("caseNumber is 5,000 characters long; at most 200", await longCase.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var notAdmin = await host.SendAsync(HttpMethod.Post, "/api/legal-holds", "traffic", new LegalHoldRequest(
            "cam-r", Now.AddDays(-10), Now, "K-1", Now.AddDays(1)));
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        await host.Services.GetRequiredServiceFor<LegalHolds>().CreateAsync(
            new LegalHoldRequest("cam-r", Now.AddDays(-11), Now.AddDays(-9.5), "K-old", Now.AddMinutes(1)), "evidence", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(2));

        var report = await host.Sweeper.SweepAsync(CancellationToken.None);

        Assert.Equal(3, report.Deleted);
        Assert.Equal(1, report.KeptForHolds);
        Assert.Equal([old9, recent], (await host.SegmentsAsync("cam-r")).Select(s => s.Path));
        Assert.Equal([otherOld], (await host.SegmentsAsync("cam-other")).Select(s => s.Path));
        foreach (var (path, exists) in new[] { (old10, false), (old8a, false), (old8b, false), (old9, true), (recent, true), (otherOld, true) })
        {
            Assert.Equal(exists, File.Exists(Path.Combine(host.StorageRoot, path)));
        }

        // Audited in batches of two: one entry for two segments, one for the last.
        var deletions = host.Audit.Events.Where(e => e.Action == AuditAction.RecordingsDeleted).ToList();
        Assert.Equal(2, deletions.Count);
        Assert.StartsWith("2 segment(s)", deletions[0].Details, StringComparison.Ordinal);
        Assert.StartsWith("1 segment(s)", deletions[1].Details, StringComparison.Ordinal);
        Assert.All(deletions, d => Assert.Equal("cam-r", d.CameraId));
        Assert.Contains(host.Audit.Events, e => e.Action == AuditAction.LegalHoldCreated && e.SubjectId == hold.Id);

        // The owner shortens retention to 5 days: the next sweep takes day -6 too; the hold still stands.
        host.Cameras.Add("cam-r", "rtsp://127.0.0.1:9/none", mode: CameraMode.RecordedOnly, retentionDays: 5);
        Assert.Equal(1, (await host.Sweeper.SweepAsync(CancellationToken.None)).Deleted);
        Assert.Equal([old9], (await host.SegmentsAsync("cam-r")).Select(s => s.Path));

        // Released, the hold no longer protects: the next sweep deletes the footage.
        using var released = await host.SendAsync(HttpMethod.Delete, $"/api/legal-holds/{hold.Id}", "admin", role: "Administrator");
        Assert.Equal(HttpStatusCode.NoContent, released.StatusCode);
        Assert.Equal(1, (await host.Sweeper.SweepAsync(CancellationToken.None)).Deleted);
        Assert.Empty(await host.SegmentsAsync("cam-r"));
        Assert.Contains(host.Audit.Events, e => e.Action == AuditAction.LegalHoldReleased && e.SubjectId == hold.Id);
    }

    [Fact]
    public async Task Below_the_free_space_floor_recording_pauses_with_an_audited_alarm_instead_of_deleting_footage_inside_retention()
    {
        var time = new FakeTimeProvider(Now);
        await using var host = await RecordingHost.StartAsync(recording: false, time);
        var id = BrokerHost.NewCameraId();
        host.Cameras.Add(id, $"rtsp://127.0.0.1:{RtspCamera.FreePort()}/none", mode: CameraMode.RecordedOnly, retentionDays: 7);
        var recent = await AddSegmentAsync(host, id, Now.AddDays(-1));
        await host.Recorder.ApplyAsync(CancellationToken.None);
        Assert.Equal([id], host.Recorder.RecordingCameras);

        host.Space.Free = 10;
        var report = await host.Sweeper.SweepAsync(CancellationToken.None);

        Assert.True(report.Paused);
        Assert.Equal(0, report.Deleted);
        Assert.True(File.Exists(Path.Combine(host.StorageRoot, recent)));
        Assert.Single(host.Audit.Events, e => e.Action == AuditAction.RecordingPaused);
        await host.Recorder.ApplyAsync(CancellationToken.None);
        Assert.Empty(host.Recorder.RecordingCameras);
        var paused = host.Services.GetRequiredService<RecordingMonitor>().Current();
        Assert.True(paused.Degraded);
        Assert.Contains("recording paused", paused.Describe(), StringComparison.Ordinal);

        // Space back: recording resumes at the next sweep; the alarm is not repeated meanwhile.
        await host.Sweeper.SweepAsync(CancellationToken.None);
        Assert.Single(host.Audit.Events, e => e.Action == AuditAction.RecordingPaused);
        host.Space.Free = long.MaxValue;
        Assert.False((await host.Sweeper.SweepAsync(CancellationToken.None)).Paused);
        await host.Recorder.ApplyAsync(CancellationToken.None);
        Assert.Equal([id], host.Recorder.RecordingCameras);
        // Every pause has its end in the audit log, and health no longer reports it.
        var resumed = Assert.Single(host.Audit.Events, e => e.Action == AuditAction.RecordingResumed);
        Assert.Contains("free again", resumed.Details, StringComparison.Ordinal);
        Assert.False(host.Services.GetRequiredService<RecordingMonitor>().Current().Degraded);
    }

    /// <summary>Indexes a one-minute segment with a small file, as the recorder would have; returns its relative path.</summary>
    private static async Task<string> AddSegmentAsync(RecordingHost host, string cameraId, DateTimeOffset start)
    {
        var relative = SegmentFiles.RelativePath(cameraId, start);
        var full = Path.Combine(host.StorageRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllBytesAsync(full, new byte[100]);
        await using var db = host.Db();
        db.RecordingSegments.Add(new RecordingSegment
        {
            CameraId = cameraId,
            StartUtcTicks = start.UtcTicks,
            EndUtcTicks = start.AddMinutes(1).UtcTicks,
            Path = relative,
            Bytes = 100,
        });
        await db.SaveChangesAsync();
        return relative;
    }
}

internal static class ServiceProviderExtensions
{
    public static T GetRequiredServiceFor<T>(this IServiceProvider services) where T : notnull =>
        (T)(services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered"));
}
