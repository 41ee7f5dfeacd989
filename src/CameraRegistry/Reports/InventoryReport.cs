using CameraHub.CameraRegistry.Cameras;

namespace CameraHub.CameraRegistry.Reports;

/// <summary>A count under a label.</summary>
public sealed record Count(string Key, int Cameras);

/// <summary>A camera whose legal basis must be looked at.</summary>
public sealed record BasisDue(string CameraId, string Name, string OwnerId, LegalBasisKind Kind, string? Reference, DateOnly? ReviewDate, bool Expired);

/// <summary>Where a masked camera is masked now: "camera" (its own Media2 masks, verified at <paramref name="VerifiedAt"/>) or "hub".</summary>
public sealed record MaskedAtRow(string CameraId, string MaskedAt, DateTimeOffset? VerifiedAt);

/// <summary>Which masked cameras mask themselves, verified (the broker's camera-mask trust answers; absent: the hub masks all).</summary>
public interface ICameraMaskSites
{
    /// <summary>When the camera's own masks were last verified on this node, if they are trusted now; null: masked in the hub.</summary>
    DateTimeOffset? VerifiedAtCamera(string cameraId, MaskingProfile masking);
}

/// <summary>The city's task (a): what cameras exist, by owner, category, mode and legal basis.</summary>
public sealed record InventoryReport(
    DateTime GeneratedAt,
    int Total,
    int Active,
    IReadOnlyList<Count> ByOwner,
    IReadOnlyList<Count> ByCategory,
    IReadOnlyList<Count> ByMode,
    IReadOnlyList<Count> ByStatus,
    IReadOnlyList<Count> ByLegalBasis,
    IReadOnlyList<BasisDue> BasesDueForReview,
    IReadOnlyList<string> WithoutLegalBasis)
{
    /// <summary>Every camera with a masking profile and where it is masked now: the inventory's "masked at" column.</summary>
    public IReadOnlyList<MaskedAtRow> MaskedAt { get; init; } = [];

    /// <summary>How far ahead a basis counts as due for review.</summary>
    public const int ReviewHorizonDays = 90;

    /// <summary>Counts the cameras that are not decommissioned.</summary>
    public static InventoryReport Build(IReadOnlyList<Camera> all, IReadOnlyDictionary<string, string> ownerNames, DateTime now, ICameraMaskSites? sites = null)
    {
        var today = DateOnly.FromDateTime(now);
        var cameras = all.Where(c => c.Status != CameraStatus.Decommissioned).ToList();
        static List<Count> By(IEnumerable<Camera> cs, Func<Camera, string> key) =>
            [.. cs.GroupBy(key).Select(g => new Count(g.Key, g.Count())).OrderByDescending(c => c.Cameras).ThenBy(c => c.Key, StringComparer.Ordinal)];

        var due = cameras
            .Where(c => c.LegalBasis.EffectiveReviewDate is { } d && d <= today.AddDays(ReviewHorizonDays))
            .Select(c => new BasisDue(c.Id, c.Name, c.OwnerId, c.LegalBasis.Kind, c.LegalBasis.Reference,
                c.LegalBasis.EffectiveReviewDate, !c.LegalBasis.IsValidOn(today)))
            .OrderBy(d => d.ReviewDate).ThenBy(d => d.CameraId, StringComparer.Ordinal)
            .ToList();

        return new InventoryReport(
            now,
            cameras.Count,
            cameras.Count(c => c.Status == CameraStatus.Active),
            By(cameras, c => ownerNames.GetValueOrDefault(c.OwnerId, c.OwnerId)),
            By(cameras, c => c.Category.ToString()),
            By(cameras, c => c.Mode.ToString()),
            By(cameras, c => c.Status.ToString()),
            By(cameras, c => c.LegalBasis.Kind.ToString()),
            due,
            [.. cameras.Where(c => !c.LegalBasis.IsValidOn(today)).Select(c => c.Id).Order(StringComparer.Ordinal)])
        {
            MaskedAt = [.. cameras.Where(c => c.Masking.Kind != MaskingKind.None).OrderBy(c => c.Id, StringComparer.Ordinal)
                .Select(c => sites?.VerifiedAtCamera(c.Id, c.Masking) is { } at ? new MaskedAtRow(c.Id, "camera", at) : new MaskedAtRow(c.Id, "hub", null))],
        };
    }

    /// <summary>Flat rows (section, key, value) for CSV.</summary>
    public IEnumerable<(string Section, string Key, string Value)> Rows()
    {
        yield return ("total", "cameras", Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("total", "active", Active.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (section, counts) in new[] { ("owner", ByOwner), ("category", ByCategory), ("mode", ByMode), ("status", ByStatus), ("legalBasis", ByLegalBasis) })
        {
            foreach (var c in counts)
            {
                yield return (section, c.Key, c.Cameras.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        foreach (var d in BasesDueForReview)
        {
            yield return ("dueForReview", d.CameraId, $"{d.ReviewDate:yyyy-MM-dd}{(d.Expired ? " (expired)" : string.Empty)}");
        }

        foreach (var id in WithoutLegalBasis)
        {
            yield return ("withoutLegalBasis", id, "no valid basis");
        }

        foreach (var m in MaskedAt)
        {
            yield return ("maskedAt", m.CameraId, m.VerifiedAt is { } at ? $"camera, verified at {at:yyyy-MM-ddTHH:mm:ssZ}" : m.MaskedAt);
        }
    }
}
