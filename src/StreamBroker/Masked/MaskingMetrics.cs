using System.Diagnostics.Metrics;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Masked;

/// <summary>
/// Masked feeds' instruments (meter <see cref="MeterName"/>): feeds running now (read from the broker's paths when
/// scraped), frames masked (each fragment of a masked feed is one frame: its encoder writes a fragment per frame) and
/// failures by stage (check: a session refused because no mask can be made; start: a feed that could not start).
/// </summary>
public sealed class MaskingMetrics : IDisposable
{
    /// <summary>The meter's name, for the host's OpenTelemetry set-up.</summary>
    public const string MeterName = "CameraHub.Masking";

    private static readonly Meter Counters = new(MeterName);
    private static readonly Counter<long> Frames = Counters.CreateCounter<long>("camerahub.masking.frames", description: "Frames masked by the live masked feeds");
    private static readonly Counter<long> Failures = Counters.CreateCounter<long>("camerahub.masking.failures",
        description: "Masking failures by stage (check: no mask could be made for a session; start: a masked feed could not start)");

    private readonly Meter _meter;

    public MaskingMetrics(IMeterFactory meters, PathManager paths)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("camerahub.masking.feeds_running", () => paths.Feeds.Count(p => p.Status.State == CameraLiveState.Online),
            description: "Masked feeds online now");
    }

    /// <summary>Starts the counters at zero so rate() has a first sample.</summary>
    public static void StartAtZero()
    {
        Frames.Add(0);
        Failures.Add(0, new KeyValuePair<string, object?>("stage", "check"));
        Failures.Add(0, new KeyValuePair<string, object?>("stage", "start"));
    }

    internal static void FrameMasked() => Frames.Add(1);

    internal static void Failed(string stage) => Failures.Add(1, new KeyValuePair<string, object?>("stage", stage));

    public void Dispose() => _meter.Dispose();
}
