using System.Diagnostics.Metrics;

namespace CameraHub.StreamBroker.Recording;

/// <summary>
/// Recording's instruments (meter <see cref="MeterName"/>): counters the writers and the sweeper add to as they work,
/// and gauges read from <see cref="RecordingMonitor"/> when a scrape asks. No camera label: node totals only.
/// </summary>
public sealed class RecordingMetrics : IDisposable
{
    /// <summary>The meter's name, for the host's OpenTelemetry set-up.</summary>
    public const string MeterName = "CameraHub.Recording";

    // Counters live as long as the process: a writer replaced after a failure must not reset what was counted.
    private static readonly Meter Counters = new(MeterName);
    private static readonly Counter<long> BytesWritten = Counters.CreateCounter<long>("camerahub.recording.bytes_written", description: "Fragment bytes appended to segment files");
    private static readonly Counter<long> Segments = Counters.CreateCounter<long>("camerahub.recording.segments", description: "Segments closed and indexed");
    private static readonly Counter<long> Gaps = Counters.CreateCounter<long>("camerahub.recording.gaps", description: "Times a writer fell behind the disk and dropped footage (each a gap)");
    private static readonly Counter<long> Deleted = Counters.CreateCounter<long>("camerahub.retention.deleted_segments", description: "Segments deleted by retention");
    private static readonly Counter<long> DeletedBytes = Counters.CreateCounter<long>("camerahub.retention.deleted_bytes", description: "Bytes deleted by retention");

    private readonly Meter _meter;

    public RecordingMetrics(IMeterFactory meters, RecordingMonitor monitor)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("camerahub.recording.backlog_bytes", () => monitor.Current().BacklogBytes, description: "Bytes queued for the writers and not yet on disk");
        _meter.CreateObservableGauge("camerahub.recording.disk_free_bytes", () => monitor.Current().FreeBytes, description: "Free bytes on the recording volume");
        _meter.CreateObservableGauge("camerahub.recording.disk_floor_bytes", () => monitor.Current().FloorBytes, description: "CameraHub:Recording:MinFreeBytes: below it recording pauses");
        _meter.CreateObservableGauge("camerahub.recording.paused", () => monitor.Current().PausedReason is null ? 0 : 1, description: "1 while recording is paused at the disk floor");
        _meter.CreateObservableGauge("camerahub.recording.cameras", () => monitor.Current().CamerasRecording.Count, description: "Cameras being recorded now");
        _meter.CreateObservableGauge("camerahub.recording.writers_dropping", () => monitor.Current().CamerasDropping.Count, description: "Writers dropping footage now (disk too slow)");
    }

    /// <summary>
    /// Starts every counter at zero, so rate() and increase() have a first sample. Call once the metrics listener runs:
    /// measurements before that are not seen.
    /// </summary>
    public static void StartAtZero()
    {
        Written(0);
        SegmentClosed(0);
        Gaps.Add(0);
        Swept(0, 0);
    }

    internal static void Written(long bytes) => BytesWritten.Add(bytes);

    internal static void SegmentClosed(int count = 1) => Segments.Add(count);

    internal static void Gap() => Gaps.Add(1);

    internal static void Swept(int segments, long bytes)
    {
        Deleted.Add(segments);
        DeletedBytes.Add(bytes);
    }

    public void Dispose() => _meter.Dispose();
}
