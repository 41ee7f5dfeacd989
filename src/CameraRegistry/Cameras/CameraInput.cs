namespace CameraHub.CameraRegistry.Cameras;

/// <summary>What a client sends to create or replace a camera (API body and one CSV row).</summary>
public sealed record CameraInput
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? OwnerId { get; init; }
    public string? SiteId { get; init; }
    public CameraCategory Category { get; init; }
    public string? Vendor { get; init; }
    public string? Model { get; init; }
    public string? Firmware { get; init; }
    public string? OnvifUrl { get; init; }
    public string? RtspUrl { get; init; }
    public RtspTransport RtspTransport { get; init; }
    public string? Username { get; init; }
    /// <summary>Write-only: stored encrypted, never returned. Null on update keeps the stored one.</summary>
    public string? Password { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public double? HeadingDegrees { get; init; }
    public double? MountingHeightMetres { get; init; }
    public CameraMode Mode { get; init; }
    public CameraStatus Status { get; init; }
    public LegalBasis LegalBasis { get; init; } = new();
    public string? AllowedHours { get; init; }
    public int? RetentionDays { get; init; }
    public Signage Signage { get; init; } = new();
    public MaskingProfile Masking { get; init; } = new();
    public List<string> SharingPartnerIds { get; init; } = [];
    public CameraCosts Costs { get; init; } = new();
    /// <summary>When surveillance began, for cameras registered after the fact; defaults to the day they become active.</summary>
    public DateOnly? StartedOn { get; init; }
    /// <summary>When surveillance ended, for cameras registered as already decommissioned.</summary>
    public DateOnly? EndedOn { get; init; }
}

/// <summary>What the API returns for a camera: everything but its secrets.</summary>
public sealed record CameraView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string OwnerId { get; init; }
    public string? SiteId { get; init; }
    public CameraCategory Category { get; init; }
    public string? Vendor { get; init; }
    public string? Model { get; init; }
    public string? Firmware { get; init; }
    public string? OnvifUrl { get; init; }
    public string? RtspUrl { get; init; }
    public RtspTransport RtspTransport { get; init; }
    public string? Username { get; init; }
    public bool HasPassword { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public double? HeadingDegrees { get; init; }
    public double? MountingHeightMetres { get; init; }
    public CameraMode Mode { get; init; }
    public CameraStatus Status { get; init; }
    public required LegalBasis LegalBasis { get; init; }
    public bool LegalBasisValid { get; init; }
    public string? AllowedHours { get; init; }
    public int? RetentionDays { get; init; }
    public required Signage Signage { get; init; }
    public required MaskingProfile Masking { get; init; }
    public required List<string> SharingPartnerIds { get; init; }
    public required CameraCosts Costs { get; init; }
    public double? MeasuredBitrateKbps { get; init; }
    public DateTime? ActivatedAt { get; init; }
    public DateTime? DecommissionedAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public int Version { get; init; }
    public string? SnapshotUrl { get; init; }
    public double? ClockSkewSeconds { get; init; }
    public DateTime? LastProbedAt { get; init; }
    public List<CameraStreamProfile> OnvifProfiles { get; init; } = [];

    /// <summary>Projects a stored camera, leaving its password out.</summary>
    public static CameraView From(Camera c, DateOnly today) => new()
    {
        Id = c.Id, Name = c.Name, OwnerId = c.OwnerId, SiteId = c.SiteId, Category = c.Category,
        Vendor = c.Vendor, Model = c.Model, Firmware = c.Firmware, OnvifUrl = c.OnvifUrl, RtspUrl = c.RtspUrl,
        RtspTransport = c.RtspTransport, Username = c.Username, HasPassword = c.ProtectedPassword is not null,
        Latitude = c.Latitude, Longitude = c.Longitude, HeadingDegrees = c.HeadingDegrees,
        MountingHeightMetres = c.MountingHeightMetres, Mode = c.Mode, Status = c.Status, LegalBasis = c.LegalBasis,
        LegalBasisValid = c.LegalBasis.IsValidOn(today), AllowedHours = c.AllowedHours, RetentionDays = c.RetentionDays,
        Signage = c.Signage, Masking = c.Masking, SharingPartnerIds = c.SharingPartnerIds, Costs = c.Costs,
        MeasuredBitrateKbps = c.MeasuredBitrateKbps, ActivatedAt = c.ActivatedAtUtc,
        DecommissionedAt = c.DecommissionedAtUtc, CreatedAt = c.CreatedAtUtc, UpdatedAt = c.UpdatedAtUtc,
        Version = c.Version, SnapshotUrl = c.SnapshotUrl, ClockSkewSeconds = c.ClockSkewSeconds,
        LastProbedAt = c.LastProbedAtUtc, OnvifProfiles = c.OnvifProfiles,
    };
}
