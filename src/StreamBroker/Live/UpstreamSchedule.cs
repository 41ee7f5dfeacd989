using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Schedules;

namespace CameraHub.StreamBroker.Live;

/// <summary>Whether a camera may be pulled now with nobody watching, and when that can next change (a pure decision, unit-tested).</summary>
public readonly record struct UpstreamDecision(bool Open, string Reason, DateTimeOffset? NextChange);

/// <summary>
/// When the hub pulls a camera on its own (to record it, or to keep its upstream warm for the control room): a mode that
/// includes the purpose, active, a valid legal basis, an RTSP address, and inside the allowed hours (Europe/Stockholm).
/// </summary>
public static class UpstreamSchedule
{
    /// <summary>Recording: every mode but live-only.</summary>
    public static UpstreamDecision ForRecording(CameraSource camera, DateTimeOffset now) => Decide(camera, CameraMode.LiveOnly, "live only", now);

    /// <summary>A warm live upstream: every mode but recorded-only, and only while live viewing would be allowed.</summary>
    public static UpstreamDecision ForWarmLive(CameraSource camera, DateTimeOffset now) => Decide(camera, CameraMode.RecordedOnly, "recorded only", now);

    /// <summary>
    /// Addresses under the reserved ".invalid" domain (RFC 2606: the sample city's cameras) can never resolve; pulling
    /// them would only start and fail an ffmpeg per camera forever.
    /// </summary>
    public static bool Unreachable(CameraSource camera) =>
        Uri.TryCreate(camera.RtspUrl, UriKind.Absolute, out var uri)
        && (uri.Host.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase) || uri.Host.Equals("invalid", StringComparison.OrdinalIgnoreCase));

    private static UpstreamDecision Decide(CameraSource camera, CameraMode excluded, string excludedReason, DateTimeOffset now)
    {
        if (camera.Category == CameraCategory.CareHome)
        {
            // A home's camera is pulled only while a care operator looks during a visit: never recorded, never warm.
            return new(false, "care camera: only looked at during a visit", null);
        }

        if (camera.Mode == excluded)
        {
            return new(false, excludedReason, null);
        }

        if (camera.Status != CameraStatus.Active)
        {
            return new(false, "not active", null);
        }

        if (!camera.LegalBasisValid)
        {
            return new(false, "no valid legal basis", null);
        }

        if (string.IsNullOrWhiteSpace(camera.RtspUrl))
        {
            return new(false, "no RTSP address", null);
        }

        if (!AllowedHours.TryParse(camera.AllowedHours ?? "always", out var hours, out _) || hours is null)
        {
            // An unreadable schedule allows nothing: pulling a camera outside its allowed hours is the failure that matters.
            return new(false, "unreadable allowed hours", null);
        }

        return hours.IsOpen(now)
            ? new(true, "inside allowed hours", hours.NextChange(now))
            : new(false, "outside allowed hours", hours.NextChange(now));
    }
}
