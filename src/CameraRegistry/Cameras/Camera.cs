namespace CameraHub.CameraRegistry.Cameras;

/// <summary>A camera the city or one of its companies operates, with why it may exist and what it costs.</summary>
public sealed class Camera
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string OwnerId { get; set; }
    public string? SiteId { get; set; }
    public CameraCategory Category { get; set; }
    public string? Vendor { get; set; }
    public string? Model { get; set; }
    public string? Firmware { get; set; }

    public string? OnvifUrl { get; set; }
    public string? RtspUrl { get; set; }
    public RtspTransport RtspTransport { get; set; }
    public string? Username { get; set; }
    /// <summary>The camera password, encrypted with the installation's data-protection key; never sent out.</summary>
    public string? ProtectedPassword { get; set; }

    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public double? HeadingDegrees { get; set; }
    public double? MountingHeightMetres { get; set; }

    public CameraMode Mode { get; set; }
    public CameraStatus Status { get; set; }
    public LegalBasis LegalBasis { get; set; } = new();
    /// <summary>Weekly schedule in the <see cref="Schedules.AllowedHours"/> text form, Europe/Stockholm time.</summary>
    public string? AllowedHours { get; set; }
    /// <summary>Days recorded footage is kept; null for live-only cameras.</summary>
    public int? RetentionDays { get; set; }
    public Signage Signage { get; set; } = new();
    public MaskingProfile Masking { get; set; } = new();
    public List<string> SharingPartnerIds { get; set; } = [];
    public CameraCosts Costs { get; set; } = new();
    /// <summary>Bitrate measured by the broker (kbit/s); the cost report prefers it to the category default.</summary>
    public double? MeasuredBitrateKbps { get; set; }

    /// <summary>UTC; when the camera first became active (start of surveillance for the legal register).</summary>
    public DateTime? ActivatedAtUtc { get; set; }
    /// <summary>UTC; when surveillance ended.</summary>
    public DateTime? DecommissionedAtUtc { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    /// <summary>Incremented on every write (optimistic concurrency).</summary>
    public int Version { get; set; }

    /// <summary>JPEG snapshot URL reported by the camera's ONVIF media service.</summary>
    public string? SnapshotUrl { get; set; }
    /// <summary>Camera clock minus ours at the last probe, in seconds (positive: the camera runs ahead).</summary>
    public double? ClockSkewSeconds { get; set; }
    /// <summary>UTC; when the camera was last probed over ONVIF.</summary>
    public DateTime? LastProbedAtUtc { get; set; }
    /// <summary>The camera's ONVIF media profiles from the last probe (stored as JSON).</summary>
    public List<CameraStreamProfile> OnvifProfiles { get; set; } = [];
}

/// <summary>What kind of place a camera watches; drives rules (schools need masking) and cost defaults.</summary>
public enum CameraCategory
{
    Other = 0,
    School = 1,
    Preschool = 2,
    Traffic = 3,
    TechnicalFacility = 4,
    HousingGarage = 5,
    PublicSquare = 6,
    CareHome = 7,
    PoliceExternal = 8,
}

/// <summary>What may be done with a camera's video (DESIGN.md 4.1).</summary>
public enum CameraMode
{
    LiveOnly = 1,
    RecordedOnly = 2,
    LiveAndRecorded = 3,
}

/// <summary>Life cycle of a camera in the registry.</summary>
public enum CameraStatus
{
    Planned = 0,
    Active = 1,
    Decommissioned = 2,
}

/// <summary>How the broker pulls RTSP from the camera.</summary>
public enum RtspTransport
{
    Tcp = 0,
    Udp = 1,
}

/// <summary>Which legal instrument a camera rests on.</summary>
public enum LegalBasisKind
{
    None = 0,
    /// <summary>Documented balancing of interests (kamerabevakningslagen after 1 April 2025).</summary>
    BalancingOfInterests = 1,
    /// <summary>An older permit decision by IMY or the county board.</summary>
    Permit = 2,
}

/// <summary>The documented reason a camera may film (DESIGN.md 4.2).</summary>
public sealed class LegalBasis
{
    public LegalBasisKind Kind { get; set; }
    public string? Reference { get; set; }
    public DateOnly? DecidedOn { get; set; }
    public string? DecidedBy { get; set; }
    /// <summary>The purpose weighed against the intrusion: area, hours, privacy measures.</summary>
    public string? Weighing { get; set; }
    public DateOnly? PermitValidUntil { get; set; }
    public int? PermitMaxRetentionDays { get; set; }
    /// <summary>E.g. "6(1)(e)".</summary>
    public string? GdprArticle { get; set; }
    public string? Purpose { get; set; }
    /// <summary>When the balancing is to be reconsidered; defaults to three years after the decision.</summary>
    public DateOnly? ReviewDue { get; set; }

    /// <summary>The date by which this basis must be looked at again: permit expiry or balancing review.</summary>
    public DateOnly? EffectiveReviewDate => Kind switch
    {
        LegalBasisKind.Permit => PermitValidUntil,
        LegalBasisKind.BalancingOfInterests => ReviewDue ?? DecidedOn?.AddYears(3),
        _ => null,
    };

    /// <summary>True when the basis is present and, for a permit, not expired on <paramref name="today"/>.</summary>
    public bool IsValidOn(DateOnly today) => Kind switch
    {
        LegalBasisKind.BalancingOfInterests => DecidedOn is not null && DecidedOn <= today,
        LegalBasisKind.Permit => PermitValidUntil is { } until && until >= today,
        _ => false,
    };
}

/// <summary>The signs that tell the public who films and why.</summary>
public sealed class Signage
{
    public bool Posted { get; set; }
    public string? Text { get; set; }
}

/// <summary>How a camera's picture is restricted before it leaves the city.</summary>
public enum MaskingKind
{
    None = 0,
    /// <summary>Keep only what lies within a distance of the façade (schools: 2.0 m).</summary>
    FacadeDistance = 1,
    /// <summary>Obscure fixed polygons in image coordinates (e.g. public areas on traffic cameras).</summary>
    PrivacyPolygons = 2,
}

/// <summary>The area restriction of a camera.</summary>
public sealed class MaskingProfile
{
    public MaskingKind Kind { get; set; }
    public double? KeepDistanceMetres { get; set; }
    /// <summary>Polygons in image pixels, each a list of [x, y] points.</summary>
    public List<List<double[]>> Polygons { get; set; } = [];
    /// <summary>Whether audio may follow an export; dropped otherwise.</summary>
    public bool AllowAudio { get; set; }
    /// <summary>
    /// False (the default): a permanent mask nobody ever sees behind, administrators and police included (the school
    /// rule). True: a liftable mask, which a user holding Unmask may see behind under a four-eyes lift (DESIGN.md 4.6).
    /// </summary>
    public bool Liftable { get; set; }
}

/// <summary>What a camera costs, in SEK.</summary>
public sealed class CameraCosts
{
    public decimal EquipmentSek { get; set; }
    public decimal InstallationSek { get; set; }
    public int DepreciationYears { get; set; } = 5;
    public decimal MaintenanceSekPerYear { get; set; }
    public decimal LeaseSekPerYear { get; set; }
    public double MonitoringHoursPerWeek { get; set; }
}
