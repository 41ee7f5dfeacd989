using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Demo;

/// <summary>
/// Lets a newcomer try a mask lift (DESIGN.md 4.6) in demo mode: the square camera <see cref="Camera"/> (Järntorget,
/// simulated, privacy polygons over the pavement) gets a liftable profile, the demo user <c>police</c> an explicit
/// user grant of Live, Playback and Unmask on it, and <c>admin</c> one of ApproveExport (the second person, for the
/// owner), so police can ask, admin approve, and police watch the unmasked picture with its countdown. Once per
/// database: a camera later made permanent again stays so.
/// </summary>
public sealed class DemoMaskLift(RegistryDbContext registry, CameraCatalogue catalogue, IDbContextFactory<AccessDbContext> contexts, TimeProvider time)
{
    /// <summary>The demo camera whose mask may be lifted.</summary>
    public const string Camera = "OTR-001";

    /// <summary>The demo user who may ask to lift it.</summary>
    public const string Requester = "police";

    /// <summary>The demo user who may approve the lift.</summary>
    public const string Approver = "admin";

    private const string Seed = "demo-seed";

    /// <summary>Seeds the liftable profile and the two grants when not done yet; returns whether it did now.</summary>
    public async Task<bool> EnsureAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Grants.AnyAsync(g => g.CreatedBy == Seed && g.Subject == Requester && g.ScopeKind == GrantScopeKind.Camera && g.Scope == Camera, ct))
        {
            return false;
        }

        var camera = await registry.Cameras.FirstOrDefaultAsync(c => c.Id == Camera, ct);
        if (camera is null || camera.Masking.Kind != MaskingKind.PrivacyPolygons)
        {
            // The sample city changed: nothing sensible to lift.
            return false;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (!camera.Masking.Liftable)
        {
            camera.Masking.Liftable = true;
            camera.UpdatedAtUtc = now;
            camera.Version++;
            await registry.SaveChangesAsync(ct);
            await catalogue.MaskingWrittenAsync([(camera.Id, camera.Masking)], Seed, "demo: the square's pavement polygons made liftable so a lift can be tried", ct);
        }

        Grant G(string subject, CameraRight rights, string reason) => new()
        {
            Id = Guid.NewGuid(), SubjectKind = GrantSubjectKind.User, Subject = subject, ScopeKind = GrantScopeKind.Camera, Scope = Camera,
            Rights = rights, Reason = reason, CreatedBy = Seed, CreatedAtUtc = now,
        };
        db.Grants.AddRange(
            G(Requester, CameraRight.Live | CameraRight.Playback | CameraRight.Unmask, "Utredning av våldsbrott på Järntorget (demo av hävning av maskering)"),
            G(Approver, CameraRight.ApproveExport, "Godkänner hävning av maskering för kameraägaren Stadsmiljönämnden (demo)"));
        await db.SaveChangesAsync(ct);
        return true;
    }
}
