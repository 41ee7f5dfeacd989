using Microsoft.AspNetCore.Identity;

namespace CameraHub.CameraRegistry.Identity;

/// <summary>A person (or service account) who signs in to CameraHub.</summary>
public sealed class HubUser : IdentityUser
{
    public string? DisplayName { get; set; }
    /// <summary>For camera owners: the organisation whose cameras they manage.</summary>
    public string? OrganisationId { get; set; }
    /// <summary>A disabled user cannot sign in and loses open streams.</summary>
    public bool Disabled { get; set; }
    /// <summary>UTC.</summary>
    public DateTime CreatedAtUtc { get; set; }
}

/// <summary>The roles of DESIGN.md section 2.</summary>
public static class HubRoles
{
    public const string Administrator = nameof(Administrator);
    public const string CameraOwner = nameof(CameraOwner);
    public const string TrafficOperator = nameof(TrafficOperator);
    public const string CareOperator = nameof(CareOperator);
    public const string PoliceLiaison = nameof(PoliceLiaison);
    public const string DataProtectionOfficer = nameof(DataProtectionOfficer);

    public static readonly string[] All = [Administrator, CameraOwner, TrafficOperator, CareOperator, PoliceLiaison, DataProtectionOfficer];

    /// <summary>The claim carrying a camera owner's organisation.</summary>
    public const string OrganisationClaim = "camerahub:org";
}
