namespace CameraHub.StreamBroker.Recording;

/// <summary>Settings of recording, retention and playback, bound from <c>CameraHub:Recording</c>.</summary>
public sealed class RecordingOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string Section = "CameraHub:Recording";

    /// <summary>false: no camera is recorded and no sweep runs (tests of other features, nodes without storage).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Root of the per-camera segment trees; default &lt;CameraHub:DataDirectory&gt;/recordings (set by the host).</summary>
    public string StorageRoot { get; set; } = "data/recordings";

    /// <summary>Target segment length; a segment closes at the first keyframe after it.</summary>
    public TimeSpan SegmentLength { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between two looks at which cameras should record (schedule changes wake it earlier).</summary>
    public TimeSpan ScheduleInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the retention sweeper runs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Segments deleted (and audited) per batch.</summary>
    public int DeleteBatchSize { get; set; } = 500;

    /// <summary>Free-space floor on the storage volume in bytes; below it expired footage goes first, then recording pauses.</summary>
    public long MinFreeBytes { get; set; } = 1L << 30;

    /// <summary>
    /// How far (bytes) one camera's writer may fall behind a stalled disk before footage is dropped (and recorded as
    /// a gap) rather than held in memory: 64 MiB is about two minutes of a 4 Mbit/s camera.
    /// </summary>
    public long MaxQueuedBytesPerCamera { get; set; } = 64L << 20;

    /// <summary>How long a playback session's token may be used to open its streams.</summary>
    public TimeSpan PlaybackTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);
}
