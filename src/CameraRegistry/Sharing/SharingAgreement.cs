using CameraHub.CameraRegistry.Cameras;

namespace CameraHub.CameraRegistry.Sharing;

/// <summary>How a partner system may pull a shared camera.</summary>
[Flags]
public enum SharingProtocols
{
    None = 0,
    Rtsp = 1,
    Hls = 2,
}

/// <summary>
/// An agreement to share live video with a partner organisation (police camera centre, transit operator): which
/// cameras (listed, or every camera of an owner and/or category), why, on what legal basis, when and how. It never
/// widens the camera's own rules: the camera must also list the partner and allow live viewing.
/// </summary>
public sealed class SharingAgreement
{
    public Guid Id { get; set; }

    /// <summary>The partner organisation (kind Partner or Police) receiving the video.</summary>
    public required string PartnerId { get; set; }

    /// <summary>Cameras named one by one; when empty the scope is <see cref="OwnerId"/> and/or <see cref="Category"/>.</summary>
    public List<string> CameraIds { get; set; } = [];

    public string? OwnerId { get; set; }

    public CameraCategory? Category { get; set; }

    public required string Purpose { get; set; }

    /// <summary>The decision or contract the sharing rests on (e.g. "SMN 2026-0112, avtal Västtrafik").</summary>
    public required string LegalBasisReference { get; set; }

    /// <summary>UTC; null: from creation.</summary>
    public DateTime? ValidFromUtc { get; set; }

    /// <summary>UTC, exclusive; null: until revoked.</summary>
    public DateTime? ValidUntilUtc { get; set; }

    /// <summary>Weekly schedule in the registry's allowed-hours syntax (Europe/Stockholm); null: always.</summary>
    public string? AllowedHours { get; set; }

    public SharingProtocols Protocols { get; set; } = SharingProtocols.Rtsp;

    public required string CreatedBy { get; set; }

    /// <summary>UTC.</summary>
    public DateTime CreatedAtUtc { get; set; }

    /// <summary>UTC; set when the agreement is withdrawn (rows are never deleted: they are evidence).</summary>
    public DateTime? RevokedAtUtc { get; set; }

    public string? RevokedBy { get; set; }

    public bool IsActiveAt(DateTime utc) => Access.ValidityWindow.InForce(ValidFromUtc, ValidUntilUtc, RevokedAtUtc, utc);

    public bool Covers(CameraSource camera) =>
        CameraIds.Count > 0
            ? CameraIds.Contains(camera.Id, StringComparer.Ordinal)
            : (OwnerId is not null || Category is not null)
              && (OwnerId is null || OwnerId == camera.OwnerId)
              && (Category is null || Category == camera.Category);
}

/// <summary>
/// A partner system's machine credentials. RTSP digest needs HA1 = MD5(user:realm:password) on the server, so HA1 is
/// stored instead of the password (standard for digest; see docs/design/sharing.md). The HLS API key is stored as a
/// SHA-256 hash. Issuing new credentials revokes the old ones.
/// </summary>
public sealed class PartnerCredential
{
    public Guid Id { get; set; }

    public required string PartnerId { get; set; }

    /// <summary>The RTSP user name ("vasttrafik-3f9a"): new on every issue, so a rotated password cannot be confused.</summary>
    public required string UserName { get; set; }

    /// <summary>Lower-case hex MD5(UserName:CameraHub:password).</summary>
    public required string DigestHa1 { get; set; }

    /// <summary>Lower-case hex SHA-256 of the API key.</summary>
    public required string ApiKeyHash { get; set; }

    public required string CreatedBy { get; set; }

    /// <summary>UTC.</summary>
    public DateTime CreatedAtUtc { get; set; }

    /// <summary>UTC; set on rotation or revocation.</summary>
    public DateTime? RevokedAtUtc { get; set; }
}
