using System.Linq.Expressions;
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
        private Func<Alarm, bool>? _sees;

        /// <summary>
        /// The rule as an expression: the alarm list runs it as SQL, <see cref="Sees"/> compiles it for pushed alarms,
        /// so both answer alike.
        /// </summary>
        public Expression<Func<Alarm, bool>> Visible
        {
            get
            {
                if (Everything)
                {
                    return _ => true;
                }

                List<string> cameras = [.. Cameras];
                List<string> careCameras = [.. CareCameras ?? new HashSet<string>()];
                var organisation = Organisation;
                return a => a.Kind.StartsWith(CameraAlarmPrefix)
                    ? a.CameraId != null && cameras.Contains(a.CameraId)
                    : a.Kind.StartsWith(CareAlarmPrefix)
                        ? a.CameraId != null && careCameras.Contains(a.CameraId)
                        : organisation != null && a.OwnerId == organisation;
            }
        }

        public bool Sees(Alarm alarm) => (_sees ??= Visible.Compile())(alarm);

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
