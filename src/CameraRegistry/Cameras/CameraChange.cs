namespace CameraHub.CameraRegistry.Cameras;

/// <summary>One kept change to a camera: who, when, and the camera before and after (JSON, secrets excluded).</summary>
public sealed class CameraChange
{
    public long Id { get; set; }
    public required string CameraId { get; set; }
    /// <summary>UTC.</summary>
    public DateTime AtUtc { get; set; }
    public required string Actor { get; set; }
    public CameraChangeKind Kind { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
}

/// <summary>Why a camera changed.</summary>
public enum CameraChangeKind
{
    Created = 1,
    Updated = 2,
    Imported = 3,
    Decommissioned = 4,
    Probed = 5,
}
