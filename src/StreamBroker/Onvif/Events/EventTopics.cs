namespace CameraHub.StreamBroker.Onvif.Events;

/// <summary>
/// Maps vendors' topic trees onto <see cref="CameraEventCategory"/>. Decided on path segments without prefixes, since
/// vendors put the same idea under tns1:, tnshik:, tnsaxis: or their own roots. One place for the mapping.
/// </summary>
public static class EventTopics
{
    private static readonly string[] TamperWords = ["Tamper", "Casing", "GlobalSceneChange", "ImageTooBlurry", "ImageTooDark", "ImageTooBright", "Defocus", "SceneChange"];
    private static readonly string[] VideoLossWords = ["SignalLoss", "VideoLoss", "SignalLost"];
    private static readonly string[] InputWords = ["DigitalInput", "AlarmIn", "InputPort"];
    private static readonly string[] MotionWords = ["MotionAlarm", "CellMotionDetector", "MotionDetector", "MotionDetection", "VMD"];
    private static readonly string[] AnalyticsRoots = ["RuleEngine", "VideoAnalytics", "ObjectDetection"];

    /// <summary>"tns1:RuleEngine/tnsaxis:X/Y" → "RuleEngine/X/Y".</summary>
    public static string PathOf(string topic) =>
        string.Join('/', topic.Trim().Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s[(s.IndexOf(':') + 1)..].Trim()));

    public static CameraEventCategory Categorise(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return CameraEventCategory.Other;
        }

        bool Any(string[] words) => segments.Any(s => words.Any(w => s.Contains(w, StringComparison.OrdinalIgnoreCase)));

        // Tamper first: GlobalSceneChange and TamperDetector sit under RuleEngine next to the analytics.
        if (Any(TamperWords))
        {
            return CameraEventCategory.Tamper;
        }

        if (Any(VideoLossWords))
        {
            return CameraEventCategory.VideoLoss;
        }

        if (Any(InputWords))
        {
            return CameraEventCategory.DigitalInput;
        }

        if (Any(MotionWords) || segments[^1].Equals("Motion", StringComparison.OrdinalIgnoreCase))
        {
            return CameraEventCategory.Motion;
        }

        // Dahua files its intelligent video analysis under UserAlarm/IVA; other UserAlarm topics (IllegalAccess) are not analytics.
        return AnalyticsRoots.Contains(segments[0], StringComparer.OrdinalIgnoreCase) || segments.Contains("IVA", StringComparer.OrdinalIgnoreCase)
            ? CameraEventCategory.Analytics
            : CameraEventCategory.Other;
    }

    /// <summary>
    /// The first data item that is an xs:boolean word (IsMotion, State, LogicalState, …). Digits are not taken: a
    /// ProcessorUsage of "1" is a percentage, not a state.
    /// </summary>
    public static bool? ActiveState(IReadOnlyDictionary<string, string> data)
    {
        foreach (var value in data.Values)
        {
            if (bool.TryParse(value.Trim(), out var state))
            {
                return state;
            }
        }

        return null;
    }
}
