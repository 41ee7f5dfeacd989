using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Persistence;
using CameraHub.StreamBroker.Masked;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.Masking.History;

/// <summary>A mask version and the part of a requested stretch of footage it was in force for (UTC, end exclusive).</summary>
public sealed record MaskSpan(MaskVersion Version, DateTime From, DateTime To);

/// <summary>
/// The history of every camera's mask (DESIGN.md 4.6: footage is masked with the mask in force when it was recorded).
/// A change of the masking profile or the calibration appends a version valid from that moment; no version is ever
/// changed or removed. Footage recorded before a camera's first version has no known mask and is refused.
/// </summary>
public sealed class MaskHistory(MaskingDbContext db, IAuditLog audit, TimeProvider time)
{
    /// <summary>
    /// Appends <paramref name="definition"/> as the camera's current mask, valid from now, unless it is the current
    /// one already; returns the version in force. Audited <see cref="AuditAction.MaskVersionCreated"/>.
    /// </summary>
    public async Task<MaskVersion> RecordAsync(string cameraId, MaskDefinition definition, string actor, string change, CancellationToken ct)
    {
        var json = definition.ToJson();
        var sha = MaskDefinition.Sha256Of(json);
        for (var attempt = 0; ; attempt++)
        {
            var latest = await db.MaskVersions.AsNoTracking().Where(v => v.CameraId == cameraId).OrderByDescending(v => v.Version).FirstOrDefaultAsync(ct);
            if (latest?.DefinitionSha256 == sha)
            {
                return latest;
            }

            var version = Next(cameraId, latest, definition.Kind, json, sha, actor, change, time.GetUtcNow().UtcDateTime);
            db.MaskVersions.Add(version);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another writer took this version number at the same moment: read again and append after it.
                db.Entry(version).State = EntityState.Detached;
                continue;
            }

            if (version.Version == 1)
            {
                // The first version is the profile the camera was registered with, audited as the registration itself.
                return version;
            }

            await audit.AppendAsync(new AuditEvent(AuditAction.MaskVersionCreated, AuditOutcome.Allowed, actor, cameraId, "masking",
                Details: $"mask version {version.Version} ({version.Kind}, definition SHA-256 {sha}) valid from {version.ValidFromUtc:O}: {change}",
                SubjectType: "MaskVersion", SubjectId: $"{cameraId}/{version.Version}"), ct);
            return version;
        }
    }

    /// <summary>
    /// The version in force now, appending the camera's current profile and calibration first when they differ from
    /// the last version (the first use of a camera registered before the history began starts it).
    /// </summary>
    public async Task<MaskVersion> CurrentAsync(CameraSource camera, CancellationToken ct, string actor = "hub", string? change = null) =>
        await RecordAsync(camera.Id, await DefinitionAsync(camera.Id, camera.Masking, ct), actor,
            change ?? (await db.MaskVersions.AnyAsync(v => v.CameraId == camera.Id, ct) ? "the registered masking profile differs from the last version" : "history began"), ct);

    /// <summary>Records newly written profiles of many cameras (an import) with one audit entry; see <see cref="RecordAsync"/> for one.</summary>
    public async Task RecordProfilesAsync(IReadOnlyList<(string CameraId, MaskingProfile Profile)> cameras, string actor, string change, CancellationToken ct)
    {
        if (cameras.Count == 1)
        {
            await RecordAsync(cameras[0].CameraId, await DefinitionAsync(cameras[0].CameraId, cameras[0].Profile, ct), actor, change, ct);
            return;
        }

        var ids = cameras.Select(c => c.CameraId).ToList();
        var latest = (await db.MaskVersions.AsNoTracking().Where(v => ids.Contains(v.CameraId)).ToListAsync(ct))
            .GroupBy(v => v.CameraId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.MaxBy(v => v.Version)!, StringComparer.Ordinal);
        var now = time.GetUtcNow().UtcDateTime;
        var changed = 0;
        foreach (var (cameraId, profile) in cameras)
        {
            var json = (await DefinitionAsync(cameraId, profile, ct)).ToJson();
            var sha = MaskDefinition.Sha256Of(json);
            var last = latest.GetValueOrDefault(cameraId);
            if (last?.DefinitionSha256 == sha)
            {
                continue;
            }

            db.MaskVersions.Add(Next(cameraId, last, profile.Kind, json, sha, actor, change, now));
            changed += last is null ? 0 : 1;
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        if (changed > 0)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.MaskVersionCreated, AuditOutcome.Allowed, actor, null, "masking",
                Details: $"{changed} mask version(s) valid from {now:O}: {change}", SubjectType: "MaskVersion"), ct);
        }
    }

    /// <summary>The version after <paramref name="latest"/>; validity never runs backwards, so a camera's versions partition its time line in order.</summary>
    private static MaskVersion Next(string cameraId, MaskVersion? latest, MaskingKind kind, string json, string sha, string actor, string change, DateTime now) => new()
    {
        CameraId = cameraId,
        Version = (latest?.Version ?? 0) + 1,
        ValidFromUtc = latest is not null && now < latest.ValidFromUtc ? latest.ValidFromUtc : now,
        Kind = kind.ToString(),
        DefinitionJson = json,
        DefinitionSha256 = sha,
        ChangedBy = actor,
        Change = change,
    };

    /// <summary>The definition of <paramref name="profile"/> with the camera's stored calibration.</summary>
    private async Task<MaskDefinition> DefinitionAsync(string cameraId, MaskingProfile profile, CancellationToken ct)
    {
        var calibration = profile.Kind == MaskingKind.FacadeDistance
            ? (await db.CameraCalibrations.AsNoTracking().FirstOrDefaultAsync(c => c.CameraId == cameraId, ct))?.ToCalibration()
            : null;
        return MaskDefinition.Of(profile, calibration);
    }

    /// <summary>Every version of the camera's mask, oldest first.</summary>
    public async Task<IReadOnlyList<MaskVersion>> ListAsync(string cameraId, CancellationToken ct) =>
        await db.MaskVersions.AsNoTracking().Where(v => v.CameraId == cameraId).OrderBy(v => v.Version).ToListAsync(ct);

    /// <summary>
    /// The versions in force over footage recorded from <paramref name="from"/> to <paramref name="to"/>, each with
    /// its part of the stretch, in order.
    /// </summary>
    /// <exception cref="MaskUnavailableException">Part of the footage predates the camera's first version: nobody can say which mask held then.</exception>
    public async Task<IReadOnlyList<MaskSpan>> CoveringAsync(CameraSource camera, DateTime from, DateTime to, CancellationToken ct)
    {
        await CurrentAsync(camera, ct);
        return Spans(camera.Id, await ListAsync(camera.Id, ct), from, to);
    }

    /// <summary>The spans of <paramref name="versions"/> (oldest first) over [from, to); an empty stretch counts as its first instant.</summary>
    public static IReadOnlyList<MaskSpan> Spans(string cameraId, IReadOnlyList<MaskVersion> versions, DateTime from, DateTime to)
    {
        if (versions.Count == 0 || from < versions[0].ValidFromUtc)
        {
            throw new MaskUnavailableException(
                $"footage of camera '{cameraId}' from {from:O} was recorded before its first mask version"
                + (versions.Count == 0 ? "" : $" (valid from {versions[0].ValidFromUtc:O})")
                + ", so the hub cannot tell which mask was in force then and shows none of it");
        }

        var end = to > from ? to : from.AddTicks(1);
        var spans = new List<MaskSpan>();
        for (var i = 0; i < versions.Count; i++)
        {
            var validUntil = i + 1 < versions.Count ? versions[i + 1].ValidFromUtc : DateTime.MaxValue;
            var spanFrom = versions[i].ValidFromUtc > from ? versions[i].ValidFromUtc : from;
            var spanTo = validUntil < end ? validUntil : end;
            if (spanFrom < spanTo)
            {
                spans.Add(new MaskSpan(versions[i], spanFrom, spanTo > to ? to : spanTo));
            }
        }

        return spans;
    }

    /// <summary>How a version is named to the outside (manifests, the API), with the end of its validity.</summary>
    public static MaskVersionRef Ref(IReadOnlyList<MaskVersion> versions, MaskVersion version)
    {
        var next = versions.FirstOrDefault(v => v.Version > version.Version);
        return new MaskVersionRef(version.Version, version.ValidFromUtc, next?.ValidFromUtc, version.DefinitionSha256);
    }
}
