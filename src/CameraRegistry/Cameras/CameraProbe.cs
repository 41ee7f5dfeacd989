namespace CameraHub.CameraRegistry.Cameras;

/// <summary>What an ONVIF probe learned about a camera, as the registry stores it.</summary>
public sealed record CameraProbe(
    string? Vendor,
    string? Model,
    string? Firmware,
    string? RtspUrl,
    string? SnapshotUrl,
    double? ClockSkewSeconds,
    List<CameraStreamProfile> Profiles);

/// <summary>One ONVIF media profile of a camera: encoder settings and where to fetch its stream and snapshot.</summary>
public sealed record CameraStreamProfile
{
    public required string Token { get; init; }
    public required string Name { get; init; }
    public string? Encoding { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public string? StreamUrl { get; init; }
    public string? SnapshotUrl { get; init; }
}
