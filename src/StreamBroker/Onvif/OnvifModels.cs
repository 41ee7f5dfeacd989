namespace CameraHub.StreamBroker.Onvif;

/// <summary>GetDeviceInformation: who made the device and what it runs.</summary>
public sealed record OnvifDeviceInformation(string Manufacturer, string Model, string FirmwareVersion, string SerialNumber, string HardwareId);

/// <summary>GetSystemDateAndTime: the device's own clock (UTC) and its time-zone string as it reports it.</summary>
public sealed record OnvifDeviceClock(DateTimeOffset? DeviceUtc, string? TimeZone, string? DateTimeType);

/// <summary>Where a device's services live (from GetServices or GetCapabilities); null when the device has none.</summary>
public sealed record OnvifServiceAddresses(
    Uri Device, Uri? Media, Uri? Media2, Uri? Ptz, Uri? Recording, Uri? Replay, Uri? Search, Uri? Events, Uri? Imaging);

/// <summary>One media profile with what its video encoder produces, and the URIs found for it.</summary>
public sealed record OnvifProfile(
    string Token, string Name, string? Encoding, int? Width, int? Height, double? FrameRate,
    string? StreamUri = null, string? SnapshotUri = null);

/// <summary>A Profile G recording on the device's own storage.</summary>
public sealed record OnvifRecording(string Token, string? SourceName, IReadOnlyList<string> TrackTypes, string? ReplayUri = null);

/// <summary>Everything a probe learned about a device; <see cref="Warnings"/> lists optional steps the device refused.</summary>
public sealed record OnvifProbeResult(
    Uri DeviceUri,
    OnvifDeviceInformation Information,
    OnvifDeviceClock Clock,
    TimeSpan? ClockSkew,
    OnvifServiceAddresses Services,
    IReadOnlyList<OnvifProfile> Profiles,
    IReadOnlyList<OnvifRecording> Recordings,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The profile to stream by default: the first H.264 one, else the first with a stream URI.</summary>
    public OnvifProfile? MainProfile =>
        Profiles.FirstOrDefault(p => p.StreamUri is not null && string.Equals(p.Encoding, "H264", StringComparison.OrdinalIgnoreCase))
        ?? Profiles.FirstOrDefault(p => p.StreamUri is not null);
}
