using System.Globalization;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>Reads ONVIF response elements into typed results; missing required parts become <see cref="OnvifProtocolException"/>.</summary>
public static class OnvifResponses
{
    public static OnvifDeviceInformation DeviceInformation(XElement response) => new(
        Text(response, "Manufacturer"), Text(response, "Model"), Text(response, "FirmwareVersion"),
        Text(response, "SerialNumber"), Text(response, "HardwareId"));

    public static OnvifDeviceClock SystemDateAndTime(XElement response)
    {
        var system = response.Descendant("SystemDateAndTime")
            ?? throw new OnvifProtocolException("GetSystemDateAndTime", "the answer has no SystemDateAndTime");
        return new OnvifDeviceClock(DateOf(system.Child("UTCDateTime")), system.Descendant("TZ")?.Value.Trim(), system.ChildText("DateTimeType")?.Trim());
    }

    /// <summary>Service addresses from GetServices, keyed by each service's namespace.</summary>
    public static OnvifServiceAddresses Services(XElement response, Uri deviceUri)
    {
        var byNamespace = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var service in response.Children("Service"))
        {
            if (service.ChildText("Namespace")?.Trim() is { } ns && UriOf(service.ChildText("XAddr")) is { } address)
            {
                byNamespace.TryAdd(ns, address);
            }
        }

        Uri? Find(XNamespace ns) => byNamespace.GetValueOrDefault(ns.NamespaceName);
        return new OnvifServiceAddresses(
            Find(OnvifNamespaces.Device) ?? deviceUri, Find(OnvifNamespaces.Media), Find(OnvifNamespaces.Media2), Find(OnvifNamespaces.Ptz),
            Find(OnvifNamespaces.Recording), Find(OnvifNamespaces.Replay), Find(OnvifNamespaces.Search), Find(OnvifNamespaces.Events),
            Find(OnvifNamespaces.Imaging));
    }

    /// <summary>Service addresses from GetCapabilities (ONVIF 1.x devices that lack GetServices).</summary>
    public static OnvifServiceAddresses Capabilities(XElement response, Uri deviceUri)
    {
        var capabilities = response.Child("Capabilities")
            ?? throw new OnvifProtocolException("GetCapabilities", "the answer has no Capabilities");
        var extension = capabilities.Child("Extension");
        Uri? XAddr(XElement? parent, string name) => parent?.Child(name) is { } c ? UriOf(c.ChildText("XAddr")) : null;
        return new OnvifServiceAddresses(
            XAddr(capabilities, "Device") ?? deviceUri, XAddr(capabilities, "Media"), null, XAddr(capabilities, "PTZ"),
            XAddr(extension, "Recording"), XAddr(extension, "Replay"), XAddr(extension, "Search"),
            XAddr(capabilities, "Events"), XAddr(capabilities, "Imaging"));
    }

    /// <summary>Profiles from Media (VideoEncoderConfiguration) or Media2 (Configurations/VideoEncoder) GetProfiles.</summary>
    public static IReadOnlyList<OnvifProfile> Profiles(XElement response)
    {
        var profiles = new List<OnvifProfile>();
        foreach (var profile in response.Children("Profiles"))
        {
            var token = profile.AttributeValue("token") ?? throw new OnvifProtocolException("GetProfiles", "a profile has no token");
            var encoder = profile.Child("VideoEncoderConfiguration") ?? profile.Child("Configurations")?.Child("VideoEncoder");
            var resolution = encoder?.Child("Resolution");
            profiles.Add(new OnvifProfile(
                token,
                profile.ChildText("Name")?.Trim() ?? token,
                encoder?.ChildText("Encoding")?.Trim() ?? encoder?.AttributeValue("Encoding"),
                Number(resolution?.ChildText("Width")),
                Number(resolution?.ChildText("Height")),
                encoder?.Child("RateControl")?.ChildText("FrameRateLimit") is { } fps
                    && double.TryParse(fps, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) ? rate : null));
        }

        return profiles;
    }

    /// <summary>The URI of GetStreamUri, GetSnapshotUri or GetReplayUri (Media: MediaUri/Uri; Media2 and replay: Uri).</summary>
    public static string MediaUri(string operation, XElement response) =>
        response.DescendantText("Uri") is { Length: > 0 } uri
            ? uri
            : throw new OnvifProtocolException(operation, $"<{response.Name.LocalName}> has no Uri");

    public static IReadOnlyList<OnvifRecording> Recordings(XElement response) =>
    [
        .. response.Children("RecordingItem").Select(item => new OnvifRecording(
            item.ChildText("RecordingToken")?.Trim() ?? throw new OnvifProtocolException("GetRecordings", "a recording has no token"),
            item.Child("Configuration")?.Child("Source")?.ChildText("Name")?.Trim(),
            [.. item.Child("Tracks")?.Children("Track").Select(t => t.Child("Configuration")?.ChildText("TrackType")?.Trim() ?? "Unknown") ?? []])),
    ];

    private static string Text(XElement response, string localName) => response.ChildText(localName)?.Trim() ?? string.Empty;

    private static int? Number(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static Uri? UriOf(string? text)
    {
        // Some devices list several addresses separated by spaces (IPv4 and IPv6); take the first absolute one.
        var first = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is not null && Uri.TryCreate(first, UriKind.Absolute, out var uri) ? uri : null;
    }

    private static DateTimeOffset? DateOf(XElement? dateTime)
    {
        var date = dateTime?.Child("Date");
        var time = dateTime?.Child("Time");
        if (date is null || time is null)
        {
            return null;
        }

        int? Part(XElement parent, string name) => Number(parent.ChildText(name)?.Trim());
        if (Part(date, "Year") is not { } y || Part(date, "Month") is not { } mo || Part(date, "Day") is not { } d
            || Part(time, "Hour") is not { } h || Part(time, "Minute") is not { } mi || Part(time, "Second") is not { } s)
        {
            return null;
        }

        try
        {
            return new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
