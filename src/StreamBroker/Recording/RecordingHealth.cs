using System.Globalization;
using CameraHub.StreamBroker.Retention;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Recording;

/// <summary>
/// Recording's state at one moment, as health, metrics, the status page and alarms read it: whether it is paused (and
/// why), free space against the floor, the writers' backlog and the cameras whose writers are dropping footage.
/// </summary>
public sealed record RecordingHealth(
    bool Enabled,
    string? PausedReason,
    long FreeBytes,
    long FloorBytes,
    long BacklogBytes,
    IReadOnlyList<string> CamerasRecording,
    IReadOnlyList<string> CamerasDropping,
    long Overflows)
{
    /// <summary>Footage is being lost or about to be: paused, dropping, or storage already below the floor.</summary>
    public bool Degraded => PausedReason is not null || CamerasDropping.Count > 0 || (Enabled && FreeBytes < FloorBytes);

    /// <summary>One sentence for /healthz and the status page.</summary>
    public string Describe()
    {
        var space = string.Create(CultureInfo.InvariantCulture, $"{FreeBytes / (1024 * 1024 * 1024.0):F1} GiB free, floor {FloorBytes / (1024 * 1024 * 1024.0):F1} GiB");
        if (!Enabled && PausedReason is null && CamerasDropping.Count == 0)
        {
            return $"recording disabled; {space}";
        }

        var problems = new List<string>();
        if (PausedReason is not null)
        {
            problems.Add($"recording paused: {PausedReason}");
        }
        else if (FreeBytes < FloorBytes)
        {
            problems.Add("free space below the recording floor");
        }

        if (CamerasDropping.Count > 0)
        {
            problems.Add($"writers dropping footage (disk too slow) for {string.Join(", ", CamerasDropping)}");
        }

        var state = string.Create(CultureInfo.InvariantCulture, $"{CamerasRecording.Count} camera(s) recording, backlog {BacklogBytes} bytes; {space}");
        return problems.Count == 0 ? state : $"{string.Join("; ", problems)}; {state}";
    }
}

/// <summary>Reads <see cref="RecordingHealth"/> from the recorder and the storage volume when asked (nothing is cached).</summary>
public sealed class RecordingMonitor(Recorder recorder, IStorageSpace space, IOptions<RecordingOptions> options)
{
    /// <summary>The state now.</summary>
    public RecordingHealth Current()
    {
        var writers = recorder.Writers;
        long free;
        try
        {
            free = space.FreeBytes(options.Value.StorageRoot);
        }
        catch (IOException)
        {
            free = 0;
        }

        return new RecordingHealth(
            recorder.Enabled,
            recorder.PausedReason,
            free,
            options.Value.MinFreeBytes,
            writers.Sum(w => w.QueuedBytes),
            [.. writers.Select(w => w.CameraId).Order(StringComparer.Ordinal)],
            [.. writers.Where(w => w.Dropping).Select(w => w.CameraId).Order(StringComparer.Ordinal)],
            writers.Sum(w => (long)w.Overflows));
    }
}
