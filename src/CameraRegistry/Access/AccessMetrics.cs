using System.Diagnostics.Metrics;

namespace CameraHub.CameraRegistry.Access;

/// <summary>
/// Access decisions of the one policy (meter <see cref="MeterName"/>), by right and outcome. The outcome is the kind of
/// answer, not its sentence, so the labels stay bounded: allowed, no_grant (403), camera_forbids (409: mode, hours,
/// legal basis, status), not_found (404).
/// </summary>
public static class AccessMetrics
{
    /// <summary>The meter's name, for the host's OpenTelemetry set-up.</summary>
    public const string MeterName = "CameraHub.Access";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Decisions = Meter.CreateCounter<long>("camerahub.access.decisions",
        description: "Access decisions by right and outcome (allowed, no_grant, camera_forbids, not_found)");

    internal static AccessDecision Counted(CameraRight right, AccessDecision decision)
    {
        var outcome = decision.Allowed ? "allowed" : decision.StatusCode switch { 404 => "not_found", 409 => "camera_forbids", _ => "no_grant" };
        Decisions.Add(1, new KeyValuePair<string, object?>("right", right.ToString().ToLowerInvariant()), new KeyValuePair<string, object?>("outcome", outcome));
        return decision;
    }
}
