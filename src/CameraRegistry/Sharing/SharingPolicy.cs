using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Schedules;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Sharing;

/// <summary>A partner's active RTSP credential as the RTSP server needs it to check a digest response.</summary>
public sealed record PartnerLogin(Guid CredentialId, string PartnerId, string UserName, string DigestHa1);

/// <summary>What the broker asks before and during every partner connection (declared for the broker's RTSP server).</summary>
public interface ISharingPolicy
{
    /// <summary>The active credential with this user name, or null.</summary>
    Task<PartnerLogin?> FindLoginAsync(string userName, CancellationToken ct);

    /// <summary>The active credential whose HLS API key this is, or null.</summary>
    Task<PartnerLogin?> FindApiKeyLoginAsync(string apiKey, CancellationToken ct);

    /// <summary>May the partner, with this credential, pull this camera over this protocol now?</summary>
    Task<AccessDecision> DecideAsync(PartnerLogin login, string cameraId, SharingProtocols protocol, CancellationToken ct);
}

/// <summary>
/// "May partner P pull camera C now?": the camera's own rules (mode allows live, active, valid basis, allowed hours),
/// the camera lists P among its sharing partners, the credential is still active, and an active agreement covers C
/// for this protocol within its validity and hours. A camera whose profile requires masking is allowed here: the
/// broker then serves partners its masked re-encode, or refuses when no mask can be made.
/// </summary>
public sealed class SharingPolicy(ICameraDirectory cameras, IDbContextFactory<AccessDbContext> contexts, TimeProvider time) : ISharingPolicy
{
    public async Task<PartnerLogin?> FindLoginAsync(string userName, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var credential = await db.PartnerCredentials.AsNoTracking()
            .FirstOrDefaultAsync(c => c.UserName == userName && c.RevokedAtUtc == null, ct);
        return credential is null ? null : new PartnerLogin(credential.Id, credential.PartnerId, credential.UserName, credential.DigestHa1);
    }

    public async Task<PartnerLogin?> FindApiKeyLoginAsync(string apiKey, CancellationToken ct)
    {
        // Keys are stored as SHA-256: look the hash up (a keyed lookup on a hash leaks nothing about the key).
        var hash = SharingEndpoints.ApiKeyHash(apiKey);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var credential = await db.PartnerCredentials.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ApiKeyHash == hash && c.RevokedAtUtc == null, ct);
        return credential is null ? null : new PartnerLogin(credential.Id, credential.PartnerId, credential.UserName, credential.DigestHa1);
    }

    public async Task<AccessDecision> DecideAsync(PartnerLogin login, string cameraId, SharingProtocols protocol, CancellationToken ct)
    {
        var camera = await cameras.FindAsync(cameraId, ct);
        if (camera is null)
        {
            return AccessDecision.NotFound($"camera '{cameraId}' is not in the registry");
        }

        var now = time.GetUtcNow();
        if (AccessPolicy.CameraRefusal(camera, CameraRight.Live, now) is { } refusal)
        {
            return AccessDecision.Conflict(refusal);
        }

        if (camera.Category == CameraCategory.CareHome)
        {
            return AccessDecision.Conflict($"care camera '{camera.Id}' is seen only by a care operator during a visit; it is never shared");
        }

        if (!camera.SharingPartnerIds.Contains(login.PartnerId, StringComparer.Ordinal))
        {
            return AccessDecision.Forbid($"camera '{camera.Id}' does not list partner '{login.PartnerId}' among its sharing partners");
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var utc = now.UtcDateTime;
        var credentialActive = await db.PartnerCredentials.AsNoTracking().AnyAsync(c => c.Id == login.CredentialId && c.RevokedAtUtc == null, ct);
        if (!credentialActive)
        {
            return AccessDecision.Forbid($"the credentials of partner '{login.PartnerId}' were revoked");
        }

        var agreements = await db.SharingAgreements.AsNoTracking()
            .Where(a => a.PartnerId == login.PartnerId && a.RevokedAtUtc == null).ToListAsync(ct);
        var covering = agreements.Where(a => a.Covers(camera) && (a.Protocols & protocol) != 0).ToList();
        if (covering.Count == 0)
        {
            return AccessDecision.Forbid($"no sharing agreement of partner '{login.PartnerId}' covers camera '{camera.Id}' over {protocol}");
        }

        var valid = covering.Where(a => a.IsActiveAt(utc)).ToList();
        if (valid.Count == 0)
        {
            return AccessDecision.Forbid($"the sharing agreement of partner '{login.PartnerId}' for camera '{camera.Id}' is not valid now (expired or not yet in force)");
        }

        var open = valid.FirstOrDefault(a => a.AllowedHours is null
            || (AllowedHours.TryParse(a.AllowedHours, out var hours, out _) && (hours is null || hours.IsOpen(now))));
        return open is null
            ? AccessDecision.Forbid($"the sharing agreement of partner '{login.PartnerId}' for camera '{camera.Id}' is outside its allowed hours")
            : AccessDecision.Allow($"agreement {open.Id} ({open.LegalBasisReference})");
    }
}
