using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Schedules;
using CameraHub.StreamBroker.Onvif.Events;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>
/// Which camera events become alarms, and how urgent: one place. Only a state turning on (or a pulse) raises; the
/// Initialized states a camera repeats after (re)subscribing never do. A camera outside its allowed hours is quiet:
/// nobody may watch it then, so its events are kept but raise nothing.
/// </summary>
public static class AlarmRules
{
    /// <summary>What raises by default, per category: tamper and video loss always; inputs; motion except on traffic cameras.</summary>
    public static AlarmSeverity? DefaultSeverity(CameraEventCategory category, CameraCategory camera) => category switch
    {
        CameraEventCategory.Tamper => AlarmSeverity.Major,
        CameraEventCategory.VideoLoss => AlarmSeverity.Major,
        CameraEventCategory.DigitalInput => AlarmSeverity.Warning,
        // Motion on a traffic camera is the traffic itself.
        CameraEventCategory.Motion when camera == CameraCategory.Traffic => null,
        CameraEventCategory.Motion => AlarmSeverity.Info,
        CameraEventCategory.Analytics => AlarmSeverity.Info,
        _ => null,
    };

    /// <summary>The alarm an event raises on a camera now, or null with nothing raised.</summary>
    public static AlarmSeverity? Decide(OnvifNotification message, CameraSource camera, EventIntakeSetting? setting, DateTimeOffset now)
    {
        if (message.IsInitialState || message.Active == false)
        {
            return null;
        }

        if (camera.AllowedHours is not null && AllowedHours.TryParse(camera.AllowedHours, out var hours, out _) && !hours!.IsOpen(now))
        {
            return null;
        }

        if (setting?.AlarmCategories is { } chosen && !chosen.Contains(message.Category))
        {
            return null;
        }

        return DefaultSeverity(message.Category, camera.Category)
            ?? (setting?.AlarmCategories is not null ? AlarmSeverity.Info : null);
    }

    /// <summary>"Motion on SKL-A-03 (RuleEngine/CellMotionDetector/Motion)".</summary>
    public static string Text(OnvifNotification message, CameraSource camera) =>
        $"{Describe(message.Category)} on {camera.Id} {camera.Name} ({message.TopicPath})";

    private static string Describe(CameraEventCategory category) => category switch
    {
        CameraEventCategory.Motion => "Motion",
        CameraEventCategory.Tamper => "Tampering",
        CameraEventCategory.VideoLoss => "Video loss",
        CameraEventCategory.DigitalInput => "Input triggered",
        CameraEventCategory.Analytics => "Analytics detection",
        _ => "Camera event",
    };
}
