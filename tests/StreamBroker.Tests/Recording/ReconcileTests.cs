using System.Globalization;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Tests.Recording;

/// <summary>After a crash the index and the disk agree again: partial files recovered or removed, orphans indexed, losses marked.</summary>
[Trait("Category", "Integration")]
public sealed class ReconcileTests
{
    [Fact]
    public async Task Start_up_recovers_a_crashed_segment_indexes_orphans_and_marks_missing_files()
    {
        await using var host = await RecordingHost.StartAsync(recording: false);
        var root = host.StorageRoot;
        var t0 = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

        // A crash mid-segment: the .partial has whole fragments and a torn last box.
        var crashed = SampleSegments.PathFor(root, "cam-a", t0);
        await SampleSegments.CreateAsync(crashed, 4);
        var torn = await File.ReadAllBytesAsync(crashed);
        File.Delete(crashed);
        await File.WriteAllBytesAsync(crashed + ".partial", torn[..^700]);
        // A crash right after opening a segment: nothing usable.
        var empty = SampleSegments.PathFor(root, "cam-a", t0.AddMinutes(1)) + ".partial";
        await File.WriteAllBytesAsync(empty, torn[..40]);
        // A crash between rename and insert: a complete file without a row.
        var orphan = SampleSegments.PathFor(root, "cam-a", t0.AddMinutes(2));
        await SampleSegments.CreateAsync(orphan, 3);
        // A file that is not a segment at all.
        var garbage = SampleSegments.PathFor(root, "cam-a", t0.AddMinutes(3));
        await File.WriteAllTextAsync(garbage, "not an mp4 file at all, just text that happens to have the right name");
        // A row whose file someone deleted.
        await using (var db = host.Db())
        {
            db.RecordingSegments.Add(new RecordingSegment
            {
                CameraId = "cam-a",
                StartUtcTicks = t0.AddMinutes(4).UtcTicks,
                EndUtcTicks = t0.AddMinutes(5).UtcTicks,
                Path = SegmentFiles.RelativePath("cam-a", t0.AddMinutes(4)),
                Bytes = 1000,
            });
            await db.SaveChangesAsync();
        }

        var report = await host.Services.GetRequiredService<Reconciler>().RunAsync(CancellationToken.None);

        Assert.Equal(new ReconcileReport(1, 1, 1, 1, 1, 0), report);
        var rows = await host.SegmentsAsync("cam-a");
        Assert.Equal(3, rows.Count);
        var recovered = rows[0];
        Assert.Equal(t0, recovered.Start);
        Assert.False(File.Exists(crashed + ".partial"));
        var recoveredSeconds = await DurationAsync(crashed);
        Assert.InRange(recoveredSeconds, 2.5, 3.95); // at most the torn fragment is lost
        Assert.InRange((recovered.End - recovered.Start).TotalSeconds, recoveredSeconds - 0.2, recoveredSeconds + 0.2);
        Assert.Equal(new FileInfo(crashed).Length, recovered.Bytes);
        Assert.False(File.Exists(empty));
        Assert.Equal(t0.AddMinutes(2), rows[1].Start);
        Assert.InRange((rows[1].End - rows[1].Start).TotalSeconds, 2.9, 3.1);
        Assert.False(File.Exists(garbage));
        Assert.Equal(SegmentState.Missing, rows[2].State);

        // The gap of the missing file shows with its reason.
        var gaps = Playback.RecordingEndpoints.Gaps(rows, t0, t0.AddMinutes(5));
        Assert.Contains(gaps, g => g.From <= t0.AddMinutes(4) && g.To >= t0.AddMinutes(5) && g.Reason == "footage file missing");

        // Running it again finds nothing to do.
        Assert.Equal(new ReconcileReport(0, 0, 0, 0, 0, 0), await host.Services.GetRequiredService<Reconciler>().RunAsync(CancellationToken.None));
    }

    private static async Task<double> DurationAsync(string file)
    {
        var (code, output) = await Tool.RunAsync("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", file);
        Assert.True(code == 0, output);
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
