using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>
/// Who sees which alarm, by the registry's access policy: a camera's events and their alarms to users with a right
/// on that camera; the hub's own alarms to administrators, the DPO and the owner concerned.
/// </summary>
public sealed class AlarmVisibility(AccessPolicy policy, IServiceScopeFactory scopes)
{
    /// <summary>What one user may see, looked up once.</summary>
    public sealed record Scope(bool Everything, IReadOnlySet<string> Cameras, string? Organisation)
    {
        public bool Sees(Alarm alarm) => Everything
            || (alarm.Kind.StartsWith(CameraAlarmPrefix, StringComparison.Ordinal)
                ? alarm.CameraId is { } camera && Cameras.Contains(camera)
                : Organisation is not null && alarm.OwnerId == Organisation);

        public bool SeesCamera(string cameraId) => Everything || Cameras.Contains(cameraId);
    }

    /// <summary>Kinds of alarms raised from a camera's own events start with this.</summary>
    public const string CameraAlarmPrefix = "camera.";

    public async Task<Scope> ForAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (user.IsInRole(HubRoles.Administrator) || user.IsInRole(HubRoles.DataProtectionOfficer))
        {
            return new Scope(true, new HashSet<string>(), null);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var visible = await policy.VisibleAsync(user, db.Cameras.AsNoTracking(), ct);
        var cameras = (await visible.Select(c => c.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var organisation = user.IsInRole(HubRoles.CameraOwner) ? user.FindFirst(HubRoles.OrganisationClaim)?.Value : null;
        return new Scope(false, cameras, organisation);
    }
}
