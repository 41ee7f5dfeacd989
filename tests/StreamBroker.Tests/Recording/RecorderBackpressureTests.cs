using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Tests.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Tests.Recording;

/// <summary>A disk slower than the camera: the recorder holds a bounded backlog and records the rest as a gap.</summary>
public sealed class RecorderBackpressureTests
{
    private const long Limit = 40_000;

    [Fact]
    public async Task A_recorder_behind_its_disk_drops_footage_as_a_gap_instead_of_growing_memory_and_resumes_at_a_keyframe()
    {
        await using var host = await RecordingHost.StartAsync(recording: false,
            settings: new() { ["CameraHub:Recording:MaxQueuedBytesPerCamera"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var sample = Path.Combine(host.DataDirectory, "sample.mp4");
        await SampleSegments.CreateAsync(sample, seconds: 40);
        await using var file = File.OpenRead(sample);
        var media = new List<UpstreamMedia>();
        await foreach (var m in new FragmentedMp4Parser(file).ReadAsync(CancellationToken.None))
        {
            media.Add(m);
        }

        var init = media.OfType<InitSegment>().Single();
        var fragments = media.OfType<Fragment>().ToList();
        Assert.True(fragments.Sum(f => f.Data.Length) > 2 * Limit, "the sample is too small to overflow the limit");

        var camera = host.Cameras.Add("GAR-BP-01", null, mode: CameraMode.RecordedOnly, retentionDays: 30);
        var recorder = CameraRecorder.Start(camera, host.Services.GetRequiredService<IOptions<RecordingOptions>>().Value,
            host.Services.GetRequiredService<SegmentIndex>(), host.Cameras, TimeProvider.System, NullLogger.Instance);

        // A burst far faster than any disk: the backlog never passes the limit, and the excess is dropped.
        recorder.Receive(init);
        var half = fragments.Count / 2;
        var burstSeconds = 0.0;
        foreach (var fragment in fragments.Take(half))
        {
            recorder.Receive(fragment);
            burstSeconds += fragment.Duration / (double)init.Timescale;
            Assert.InRange(recorder.QueuedBytes, 0, Limit);
        }

        var overflows = recorder.Overflows;
        Assert.True(overflows >= 1, "the burst never overflowed the backlog");
        Assert.True(await Live.Processes.EventuallyAsync(() => recorder.QueuedBytes == 0, TimeSpan.FromSeconds(20)), "the writer never caught up");

        // Caught up: recording resumes at the next keyframe, in a new segment after the gap. This time the disk keeps
        // up (each fragment is handed over once the previous one is written), so nothing more is dropped.
        foreach (var fragment in fragments.Skip(half))
        {
            recorder.Receive(fragment);
            Assert.True(await Live.Processes.EventuallyAsync(() => recorder.QueuedBytes == 0, TimeSpan.FromSeconds(20)), "the writer stalled");
        }

        recorder.PathClosed();
        Assert.True(await Live.Processes.EventuallyAsync(() => recorder.Stopped, TimeSpan.FromSeconds(20)), "the recorder did not finish");
        var segments = await host.SegmentsAsync(camera.Id);
        var recordedSeconds = segments.Sum(s => (s.EndUtcTicks - s.StartUtcTicks) / (double)TimeSpan.TicksPerSecond);
        var pushedSeconds = fragments.Sum(f => f.Duration / (double)init.Timescale);
        Assert.True(segments.Count >= 2, $"expected segments before and after the gap, got {segments.Count}");
        Assert.True(recordedSeconds < pushedSeconds - 1, $"recorded {recordedSeconds:F1} s of {pushedSeconds:F1} s: nothing was dropped");
        Assert.True(recordedSeconds > pushedSeconds - burstSeconds, $"recorded {recordedSeconds:F1} s: the footage after the gap is missing");
        Assert.Equal(overflows, recorder.Overflows);
    }
}
