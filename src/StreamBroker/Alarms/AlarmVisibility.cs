using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Care;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>
/// Who sees which alarm, by the registry's access policy: a camera's events and their alarms to users with a right
/// on that camera; the hub's own alarms to administrators, the DPO and the owner concerned; a care alarm (a missed
/// supervision visit) to the staff of the care unit whose decision covers the camera.
/// </summary>
public sealed class AlarmVisibility(AccessPolicy policy, IServiceScopeFactory scopes)
{
    /// <summary>What one user may see, looked up once.</summary>
    public sealed record Scope(bool Everything, IReadOnlySet<string> Cameras, string? Organisation, IReadOnlySet<string>? CareCameras = null)
    {
        public bool Sees(Alarm alarm) => Everything
            || (alarm.Kind.StartsWith(CameraAlarmPrefix, StringComparison.Ordinal)
                ? alarm.CameraId is { } camera && Cameras.Contains(camera)
                : alarm.Kind.StartsWith(CareAlarmPrefix, StringComparison.Ordinal)
                    ? alarm.CameraId is { } careCamera && CareCameras is not null && CareCameras.Contains(careCamera)
                    : Organisation is not null && alarm.OwnerId == Organisation);

        public bool SeesCamera(string cameraId) => Everything || Cameras.Contains(cameraId);
    }

    /// <summary>Kinds of alarms raised from a camera's own events start with this.</summary>
    public const string CameraAlarmPrefix = "camera.";

    /// <summary>Kinds of care supervision alarms start with this.</summary>
    public const string CareAlarmPrefix = "care.";

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
        return new Scope(false, cameras, organisation, await CareCamerasAsync(user, scope.ServiceProvider, ct));
    }

    /// <summary>The cameras of the decisions of the care units the user is staff of (none for other users).</summary>
    private static async Task<IReadOnlySet<string>?> CareCamerasAsync(ClaimsPrincipal user, IServiceProvider services, CancellationToken ct)
    {
        if (!user.IsInRole(HubRoles.CareOperator) || user.Identity?.Name is not { } name
            || services.GetService<IDbContextFactory<CareDbContext>>() is not { } contexts)
        {
            return null;
        }

        await using var care = await contexts.CreateDbContextAsync(ct);
        var units = care.Staff.Where(s => s.UserName == name).Select(s => s.CareUnit);
        var cameras = await care.Decisions.Where(d => units.Contains(d.CareUnit)).Select(d => d.CameraId).ToListAsync(ct);
        return cameras.ToHashSet(StringComparer.Ordinal);
    }
}
