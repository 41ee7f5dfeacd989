using System.Security.Cryptography;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Demo;

/// <summary>The demo users of DESIGN.md section 10 and their grants; created only in demo mode.</summary>
public sealed class DemoAccess(UserAccounts accounts, IDbContextFactory<AccessDbContext> contexts, TimeProvider time)
{
    /// <summary>(user, role, organisation, display name).</summary>
    public static readonly (string User, string Role, string? Organisation, string Name)[] Users =
    [
        ("admin", HubRoles.Administrator, null, "Demo administrator"),
        ("schools", HubRoles.CameraOwner, "grundskolenamnden", "Kameraansvarig grundskolan"),
        ("housing", HubRoles.CameraOwner, "framtiden", "Trygghetschef Framtiden"),
        ("traffic", HubRoles.TrafficOperator, null, "Trafikoperatör"),
        ("care", HubRoles.CareOperator, null, "Trygghetsjouren"),
        ("police", HubRoles.PoliceLiaison, null, "Polisens kamerasamordnare"),
        ("dpo", HubRoles.DataProtectionOfficer, null, "Dataskyddsombud"),
    ];

    /// <summary>A password that satisfies the policy, for when none is configured.</summary>
    public static string GeneratePassword() => "Demo-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)) + "-x9";

    /// <summary>Creates the missing demo users with <paramref name="password"/> and their grants; returns how many users were created.</summary>
    public async Task<int> EnsureAsync(string password, CancellationToken ct)
    {
        await accounts.EnsureRolesAsync();
        var created = 0;
        foreach (var (user, role, org, name) in Users)
        {
            var (account, errors) = await accounts.CreateAsync(user, password, role, org, name, "demo-seed", ct);
            if (account is not null)
            {
                created++;
            }
            else if (!errors.Any(e => e.Contains("already taken", StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException($"demo user {user}: {string.Join("; ", errors)}");
            }
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Grants.AnyAsync(g => g.CreatedBy == "demo-seed", ct))
        {
            var now = time.GetUtcNow().UtcDateTime;
            Grant G(GrantSubjectKind kind, string subject, GrantScopeKind scopeKind, string scope, CameraRight rights, string reason) => new()
            {
                Id = Guid.NewGuid(), SubjectKind = kind, Subject = subject, ScopeKind = scopeKind, Scope = scope, Rights = rights,
                Reason = reason, CreatedBy = "demo-seed", CreatedAtUtc = now,
            };
            db.Grants.AddRange(
                G(GrantSubjectKind.Role, HubRoles.TrafficOperator, GrantScopeKind.Category, nameof(CameraCategory.Traffic), CameraRight.Live, "Trafikledning"),
                G(GrantSubjectKind.Role, HubRoles.TrafficOperator, GrantScopeKind.Category, nameof(CameraCategory.TechnicalFacility), CameraRight.Live, "Tunnel- och broövervakning"),
                G(GrantSubjectKind.Role, HubRoles.CareOperator, GrantScopeKind.Category, nameof(CameraCategory.CareHome), CameraRight.Live, "Nattillsyn enligt biståndsbeslut"),
                G(GrantSubjectKind.Role, HubRoles.PoliceLiaison, GrantScopeKind.Category, nameof(CameraCategory.School), CameraRight.Export, "Brottsutredning efter händelse"),
                G(GrantSubjectKind.Role, HubRoles.PoliceLiaison, GrantScopeKind.Category, nameof(CameraCategory.HousingGarage), CameraRight.Export, "Brottsutredning på begäran"),
                G(GrantSubjectKind.User, "schools", GrantScopeKind.Organisation, "grundskolenamnden", CameraRight.Playback, "Uppföljning av incidenter"),
                G(GrantSubjectKind.User, "housing", GrantScopeKind.Organisation, "framtiden", CameraRight.Playback, "Uppföljning av incidenter"));
            await db.SaveChangesAsync(ct);
        }

        return created;
    }
}
