using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Schedules;

namespace CameraHub.StreamBroker.Recording;

/// <summary>Whether a camera is to be recorded now and when that can next change (a pure decision, unit-tested).</summary>
public readonly record struct RecordingDecision(bool Record, string Reason, DateTimeOffset? NextChange);

/// <summary>The recorder's rules: recording mode, active, valid legal basis, inside the allowed hours (Europe/Stockholm).</summary>
public static class RecordingSchedule
{
    public static RecordingDecision Decide(CameraSource camera, DateTimeOffset now)
    {
        if (camera.Mode == CameraMode.LiveOnly)
        {
            return new(false, "live only", null);
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
            // An unreadable schedule allows nothing: recording outside allowed hours is the failure that matters.
            return new(false, "unreadable allowed hours", null);
        }

        return hours.IsOpen(now)
            ? new(true, "inside allowed hours", hours.NextChange(now))
            : new(false, "outside allowed hours", hours.NextChange(now));
    }
}
