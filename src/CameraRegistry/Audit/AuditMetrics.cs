using System.Diagnostics.Metrics;

namespace CameraHub.CameraRegistry.Audit;

/// <summary>
/// The audit log's instruments (meter <see cref="MeterName"/>): entries appended, and verdicts on the chain by result
/// (a verification or the checkpointer finding a signed head gone). Process-wide counters, like recording's.
/// </summary>
public static class AuditMetrics
{
    /// <summary>The meter's name, for the host's OpenTelemetry set-up.</summary>
    public const string MeterName = "CameraHub.Audit";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Appends = Meter.CreateCounter<long>("camerahub.audit.appends", description: "Audit entries appended to the chain");
    private static readonly Counter<long> Verdicts = Meter.CreateCounter<long>("camerahub.audit.verifications",
        description: "Verdicts on the audit chain by result (valid, broken): verifications and the checkpointer's check before signing");

    /// <summary>Starts the counters at zero so rate() has a first sample.</summary>
    public static void StartAtZero()
    {
        Appends.Add(0);
        Verdicts.Add(0, new KeyValuePair<string, object?>("result", "valid"));
        Verdicts.Add(0, new KeyValuePair<string, object?>("result", "broken"));
    }

    internal static void Appended(int entries) => Appends.Add(entries);

    internal static void Verdict(bool valid) => Verdicts.Add(1, new KeyValuePair<string, object?>("result", valid ? "valid" : "broken"));
}
