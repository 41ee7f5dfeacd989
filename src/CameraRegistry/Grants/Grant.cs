using CameraHub.CameraRegistry.Access;

namespace CameraHub.CameraRegistry.Grants;

/// <summary>Who a grant is for.</summary>
public enum GrantSubjectKind
{
    User = 1,
    Role = 2,
}

/// <summary>Which cameras a grant covers.</summary>
public enum GrantScopeKind
{
    Camera = 1,
    Organisation = 2,
    Category = 3,
    AllCameras = 4,
}

/// <summary>An explicit permission: subject → scope → rights, optionally time-limited (DESIGN.md 4.4).</summary>
public sealed class Grant
{
    public Guid Id { get; set; }
    public GrantSubjectKind SubjectKind { get; set; }
    /// <summary>A user name or a role name.</summary>
    public required string Subject { get; set; }
    public GrantScopeKind ScopeKind { get; set; }
    /// <summary>Camera id, organisation id or category name; "*" for all cameras.</summary>
    public required string Scope { get; set; }
    public CameraRight Rights { get; set; }
    /// <summary>UTC; null = from creation.</summary>
    public DateTime? ValidFromUtc { get; set; }
    /// <summary>UTC; null = until revoked.</summary>
    public DateTime? ValidUntilUtc { get; set; }
    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? RevokedAtUtc { get; set; }
    public string? RevokedBy { get; set; }

    public bool IsActiveAt(DateTime utc) => ValidityWindow.InForce(ValidFromUtc, ValidUntilUtc, RevokedAtUtc, utc);
}
