using CameraHub.CameraRegistry.Cameras;

namespace CameraHub.CameraRegistry.Reports;

/// <summary>One entry of the legal register (förteckning) of camera surveillance.</summary>
public sealed record RegisterEntry(
    string CameraId,
    string Name,
    string Category,
    string? SiteId,
    string Purpose,
    string LegalBasis,
    string? Reference,
    DateOnly? DecidedOn,
    DateOnly? PermitValidUntil,
    string? GdprArticle,
    string? AllowedHours,
    int? RetentionDays,
    string Mode,
    string Masking,
    bool SignagePosted,
    DateTime? StartedAt,
    DateTime? EndedAt);

/// <summary>One owner's part of the register.</summary>
public sealed record RegisterOwner(string OwnerId, string OwnerName, IReadOnlyList<RegisterEntry> Ongoing, IReadOnlyList<RegisterEntry> Ended);

/// <summary>
/// The register a public authority must keep under kamerabevakningslagen (2018:1200) as amended 1 April 2025:
/// ongoing surveillance and surveillance ended in the last five years, per owner.
/// </summary>
public sealed record RegisterReport(DateTime GeneratedAt, DateTime EndedSince, IReadOnlyList<RegisterOwner> Owners)
{
    public const int YearsKept = 5;

    public static RegisterReport Build(IReadOnlyList<Camera> cameras, IReadOnlyDictionary<string, string> ownerNames, DateTime now)
    {
        var since = now.AddYears(-YearsKept);
        var owners = cameras
            .Where(c => c.ActivatedAtUtc is not null)
            .Where(c => c.Status == CameraStatus.Active || (c.DecommissionedAtUtc is { } end && end >= since))
            .GroupBy(c => c.OwnerId)
            .OrderBy(g => ownerNames.GetValueOrDefault(g.Key, g.Key), StringComparer.Ordinal)
            .Select(g => new RegisterOwner(
                g.Key,
                ownerNames.GetValueOrDefault(g.Key, g.Key),
                [.. g.Where(c => c.Status == CameraStatus.Active).OrderBy(c => c.Id, StringComparer.Ordinal).Select(Entry)],
                [.. g.Where(c => c.Status == CameraStatus.Decommissioned).OrderBy(c => c.Id, StringComparer.Ordinal).Select(Entry)]))
            .ToList();
        return new RegisterReport(now, since, owners);
    }

    private static RegisterEntry Entry(Camera c) => new(
        c.Id, c.Name, c.Category.ToString(), c.SiteId, c.LegalBasis.Purpose ?? string.Empty, c.LegalBasis.Kind.ToString(),
        c.LegalBasis.Reference, c.LegalBasis.DecidedOn, c.LegalBasis.PermitValidUntil, c.LegalBasis.GdprArticle, c.AllowedHours,
        c.RetentionDays, c.Mode.ToString(),
        c.Masking.Kind == MaskingKind.FacadeDistance ? $"FacadeDistance {c.Masking.KeepDistanceMetres} m" : c.Masking.Kind.ToString(),
        c.Signage.Posted, c.ActivatedAtUtc, c.DecommissionedAtUtc);
}
