using System.Diagnostics.Metrics;

namespace CameraHub.Masking.Evidence;

/// <summary>Evidence export's instruments (meter <see cref="MeterName"/>): jobs finished by outcome, and how long they took.</summary>
public static class EvidenceMetrics
{
    /// <summary>The meter's name, for the host's OpenTelemetry set-up.</summary>
    public const string MeterName = "CameraHub.Evidence";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Jobs = Meter.CreateCounter<long>("camerahub.evidence.jobs", description: "Evidence jobs finished, by outcome (ready, failed)");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("camerahub.evidence.job_seconds",
        description: "How long evidence jobs took from start to package or failure, by outcome, in seconds");

    /// <summary>Starts the counters at zero so rate() has a first sample.</summary>
    public static void StartAtZero()
    {
        Jobs.Add(0, new KeyValuePair<string, object?>("outcome", "ready"));
        Jobs.Add(0, new KeyValuePair<string, object?>("outcome", "failed"));
    }

    internal static void Finished(bool ready, TimeSpan took)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", ready ? "ready" : "failed");
        Jobs.Add(1, outcome);
        Duration.Record(took.TotalSeconds, outcome);
    }
}
