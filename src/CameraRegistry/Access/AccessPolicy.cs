using System.Security.Claims;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Care;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Schedules;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Access;

/// <summary>
/// Decides every camera request by combining the camera's own rules (mode, status, legal basis, allowed hours),
/// whether the user is still enabled, the implicit rights of some roles, and explicit grants.
/// Camera rules come first: a live request for a RecordedOnly camera is refused whoever asks.
/// </summary>
public sealed class AccessPolicy(ICameraDirectory cameras, IDbContextFactory<AccessDbContext> contexts, TimeProvider time, CareVisitRule care) : IAccessPolicy
{
    private const CameraRight VideoRights = CameraRight.Live | CameraRight.Playback | CameraRight.Export;

    public async Task<AccessDecision> DecideAsync(ClaimsPrincipal user, CameraRight right, string cameraId, CancellationToken ct) =>
        AccessMetrics.Counted(right, await DecideUncountedAsync(user, right, cameraId, ct));

    private async Task<AccessDecision> DecideUncountedAsync(ClaimsPrincipal user, CameraRight right, string cameraId, CancellationToken ct)
    {
        var camera = await cameras.FindAsync(cameraId, ct);
        if (camera is null)
        {
            return AccessDecision.NotFound($"camera '{cameraId}' is not in the registry");
        }

        var asker = await AskerAsync(user, ct);
        return await DecideWithCareAsync(asker, right, CameraAccessFacts.Of(camera), time.GetUtcNow(), CareLookIntent.Stream, ct);
    }

    /// <summary>May the user start a care visit's look (or an emergency look) on this camera now: the live decision without an open look.</summary>
    public async Task<AccessDecision> DecideCareLookAsync(ClaimsPrincipal user, string cameraId, CareLookIntent intent, CancellationToken ct) =>
        await cameras.FindAsync(cameraId, ct) is { } camera
            ? await DecideWithCareAsync(await AskerAsync(user, ct), CameraRight.Live, CameraAccessFacts.Of(camera), time.GetUtcNow(), intent, ct)
            : AccessDecision.NotFound($"camera '{cameraId}' is not in the registry");

    /// <summary>Camera rules and grants, then the care supervision rule for a CareHome camera (its own type, one place).</summary>
    private Task<AccessDecision> DecideWithCareAsync(Asker asker, CameraRight right, CameraAccessFacts camera, DateTimeOffset now, CareLookIntent intent, CancellationToken ct) =>
        care.DecideAsync(asker.Name, asker.Roles, right, camera, Decide(asker, right, camera, now), now, intent, ct);

    /// <summary>
    /// The same decisions as <see cref="DecideAsync"/> for many cameras and rights at once, with one lookup of the
    /// user's account and grants (a picker's list, the rights a console shows): camera id → right → decision.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<CameraRight, AccessDecision>>> DecideManyAsync(
        ClaimsPrincipal user, IReadOnlyCollection<CameraRight> rights, IEnumerable<CameraAccessFacts> facts, CancellationToken ct)
    {
        var asker = await AskerAsync(user, ct);
        var now = time.GetUtcNow();
        var answers = new Dictionary<string, IReadOnlyDictionary<CameraRight, AccessDecision>>(StringComparer.Ordinal);
        foreach (var camera in facts)
        {
            var decided = rights.ToDictionary(r => r, r => Decide(asker, r, camera, now));
            foreach (var r in camera.Category == CameraCategory.CareHome ? rights : [])
            {
                decided[r] = await care.DecideAsync(asker.Name, asker.Roles, r, camera, decided[r], now, CareLookIntent.Stream, ct);
            }

            answers[camera.Id] = decided;
        }

        return answers;
    }

    /// <summary>For writes to an owner's registry entries (no particular camera yet): may the user manage this owner?</summary>
    public async Task<AccessDecision> DecideForOwnerAsync(ClaimsPrincipal user, CameraRight right, string ownerId, CameraCategory? category, CancellationToken ct) =>
        DecideScope(await AskerAsync(user, ct), right, null, ownerId, category);

    /// <summary>
    /// Which cameras a user may see in the registry: everything for administrators and the DPO; their own
    /// organisation's for owners; for others the cameras some active grant of theirs covers.
    /// </summary>
    public async Task<IQueryable<Camera>> VisibleAsync(ClaimsPrincipal user, IQueryable<Camera> cameras, CancellationToken ct)
    {
        if (user.IsInRole(HubRoles.Administrator) || user.IsInRole(HubRoles.DataProtectionOfficer))
        {
            return cameras;
        }

        var name = user.Identity?.Name ?? string.Empty;
        var roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var grants = await ActiveGrantsAsync(db, name, roles, ct);
        if (grants.Any(g => g.ScopeKind == GrantScopeKind.AllCameras))
        {
            return cameras;
        }

        var owners = grants.Where(g => g.ScopeKind == GrantScopeKind.Organisation).Select(g => g.Scope).ToList();
        if (user.IsInRole(HubRoles.CameraOwner) && user.FindFirst(HubRoles.OrganisationClaim)?.Value is { } org)
        {
            owners.Add(org);
        }

        var ids = grants.Where(g => g.ScopeKind == GrantScopeKind.Camera).Select(g => g.Scope).ToList();
        var categories = grants.Where(g => g.ScopeKind == GrantScopeKind.Category)
            .Select(g => Enum.TryParse<CameraCategory>(g.Scope, out var c) ? c : (CameraCategory?)null)
            .OfType<CameraCategory>().ToList();
        return cameras.Where(c => owners.Contains(c.OwnerId) || ids.Contains(c.Id) || categories.Contains(c.Category));
    }

    /// <summary>
    /// Every right the user holds on some camera (by role or an active grant), for a client to decide which features
    /// to offer; each action is still decided per camera.
    /// </summary>
    public async Task<CameraRight> HeldRightsAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var name = user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;
        if (name is null)
        {
            return CameraRight.None;
        }

        var roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        // The role's own rights, by the same rule the decisions use (an owner's hold on its own organisation).
        var organisation = user.FindFirst(HubRoles.OrganisationClaim)?.Value;
        var held = AllRights.Where(r => ImplicitRight(roles, organisation, r, organisation ?? string.Empty) is not null)
            .Aggregate(CameraRight.None, (all, r) => all | r);
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await ActiveGrantsAsync(db, name, roles, ct))
            .Aggregate(held, (all, g) => all | (g.SubjectKind == GrantSubjectKind.User ? g.Rights : g.Rights & ~CameraRight.Unmask));
    }

    /// <summary>Every right there is, in the order clients show them.</summary>
    public static readonly IReadOnlyList<CameraRight> AllRights =
        [CameraRight.Live, CameraRight.Playback, CameraRight.Export, CameraRight.ApproveExport, CameraRight.Audit, CameraRight.Manage, CameraRight.Unmask];

    /// <summary>The grants in force now for the user by name or by one of their roles.</summary>
    private async Task<List<Grant>> ActiveGrantsAsync(AccessDbContext db, string name, IEnumerable<string> roles, CancellationToken ct)
    {
        var roleNames = roles.ToArray();
        var utc = time.GetUtcNow().UtcDateTime;
        var grants = await db.Grants.AsNoTracking()
            .Where(g => g.RevokedAtUtc == null)
            .Where(g => (g.SubjectKind == GrantSubjectKind.User && g.Subject == name) || (g.SubjectKind == GrantSubjectKind.Role && roleNames.Contains(g.Subject)))
            .ToListAsync(ct);
        return [.. grants.Where(g => g.IsActiveAt(utc))];
    }

    /// <summary>Why the camera itself forbids <paramref name="right"/> now, or null.</summary>
    public static string? CameraRefusal(CameraSource camera, CameraRight right, DateTimeOffset now) =>
        CameraRefusal(CameraAccessFacts.Of(camera), right, now);

    /// <summary>Why the camera itself forbids <paramref name="right"/> now, or null.</summary>
    public static string? CameraRefusal(CameraAccessFacts camera, CameraRight right, DateTimeOffset now)
    {
        if (right == CameraRight.Live && camera.Mode == CameraMode.RecordedOnly)
        {
            return $"camera '{camera.Id}' is RecordedOnly: live viewing is never allowed";
        }

        if (right is CameraRight.Playback or CameraRight.Export && camera.Mode == CameraMode.LiveOnly)
        {
            return $"camera '{camera.Id}' is LiveOnly: it has no recordings";
        }

        if (camera.Status != CameraStatus.Active)
        {
            return $"camera '{camera.Id}' is {camera.Status}, not active";
        }

        if (!camera.LegalBasisValid)
        {
            return $"camera '{camera.Id}' has no valid legal basis (missing or expired permit) and serves nothing";
        }

        if (right == CameraRight.Live && camera.AllowedHours is not null
            && AllowedHours.TryParse(camera.AllowedHours, out var hours, out _) && !hours!.IsOpen(now))
        {
            return $"camera '{camera.Id}' is outside its allowed hours ({camera.AllowedHours}, Europe/Stockholm)";
        }

        return null;
    }

    /// <summary>
    /// Who is asking, looked up once per question: the enabled account's name, roles, organisation and grants in force;
    /// or, when there is no such account (not signed in, unknown, disabled), why every request is refused.
    /// </summary>
    private sealed record Asker(string Name, HashSet<string> Roles, string? Organisation, List<Grant> Grants, string? Refusal = null)
    {
        public static Asker Refused(string reason) => new(string.Empty, [], null, [], reason);
    }

    private async Task<Asker> AskerAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var name = user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;
        if (name is null)
        {
            return Asker.Refused("not signed in");
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var account = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == name, ct);
        if (account is null || account.Disabled)
        {
            return Asker.Refused($"user '{name}' is unknown or disabled");
        }

        var roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new Asker(name, roles, account.OrganisationId, await ActiveGrantsAsync(db, name, roles, ct));
    }

    /// <summary>Camera rules first (409), then the asker's rights on the camera's scope (403).</summary>
    private static AccessDecision Decide(Asker asker, CameraRight right, CameraAccessFacts camera, DateTimeOffset now)
    {
        if ((right & VideoRights) != 0 && CameraRefusal(camera, right, now) is { } refusal)
        {
            return AccessDecision.Conflict(refusal);
        }

        return DecideScope(asker, right, camera.Id, camera.OwnerId, camera.Category);
    }

    private static AccessDecision DecideScope(Asker asker, CameraRight right, string? cameraId, string ownerId, CameraCategory? category)
    {
        if (asker.Refusal is { } refusal)
        {
            return AccessDecision.Forbid(refusal);
        }

        var implicitReason = ImplicitRight(asker.Roles, asker.Organisation, right, ownerId);
        if (implicitReason is not null)
        {
            return AccessDecision.Allow(implicitReason);
        }

        var categoryName = category?.ToString();
        // Unmask is personal: a grant to a role never carries it (DESIGN.md 4.6).
        var grant = asker.Grants.FirstOrDefault(g =>
            (g.Rights & right) == right && (right != CameraRight.Unmask || g.SubjectKind == GrantSubjectKind.User) && g.ScopeKind switch
            {
                GrantScopeKind.AllCameras => true,
                GrantScopeKind.Camera => cameraId is not null && g.Scope == cameraId,
                GrantScopeKind.Organisation => g.Scope == ownerId,
                GrantScopeKind.Category => categoryName is not null && g.Scope == categoryName,
                _ => false,
            });
        return grant is null
            ? AccessDecision.Forbid($"no grant gives '{asker.Name}' the {right} right on {(cameraId is null ? $"owner '{ownerId}'" : $"camera '{cameraId}'")}")
            : AccessDecision.Allow($"grant {grant.Id} ({grant.SubjectKind} {grant.Subject} → {grant.ScopeKind} {grant.Scope}: {grant.Rights})");
    }

    /// <summary>Rights that come with a role and need no grant; video never does (DESIGN.md 4.4).</summary>
    private static string? ImplicitRight(HashSet<string> roles, string? organisation, CameraRight right, string ownerId)
    {
        if (roles.Contains(HubRoles.Administrator) && right is CameraRight.Manage or CameraRight.Audit)
        {
            return $"Administrator: {right}";
        }

        if (roles.Contains(HubRoles.DataProtectionOfficer) && right == CameraRight.Audit)
        {
            return "DataProtectionOfficer: audit";
        }

        if (roles.Contains(HubRoles.CameraOwner) && organisation == ownerId && right is CameraRight.Manage or CameraRight.ApproveExport or CameraRight.Audit)
        {
            return $"CameraOwner of '{ownerId}': {right}";
        }

        return null;
    }
}

/// <summary>The facts about a camera that an access decision depends on (no address, no credentials).</summary>
public sealed record CameraAccessFacts(
    string Id, string OwnerId, CameraCategory Category, CameraMode Mode, CameraStatus Status, bool LegalBasisValid, string? AllowedHours)
{
    /// <summary>From the directory's view of a camera.</summary>
    public static CameraAccessFacts Of(CameraSource c) => new(c.Id, c.OwnerId, c.Category, c.Mode, c.Status, c.LegalBasisValid, c.AllowedHours);

    /// <summary>From a registry row, with the legal basis judged on <paramref name="today"/>.</summary>
    public static CameraAccessFacts Of(Camera c, DateOnly today) =>
        new(c.Id, c.OwnerId, c.Category, c.Mode, c.Status, c.LegalBasis.IsValidOn(today), c.AllowedHours);
}

/// <summary>
/// Feed of access changes (grant revoked, user disabled) for the broker: subscribers on this node hear them at once,
/// and the optional relay carries them to the other nodes, which hand them to their own subscribers (DeliverAsync).
/// </summary>
public sealed class AccessChangeFeed(IAccessChangeRelay? relay = null) : IAccessChangeFeed
{
    private readonly List<Func<AccessChanged, Task>> _handlers = [];
    private readonly Lock _lock = new();

    public IDisposable Subscribe(Func<AccessChanged, Task> handler)
    {
        lock (_lock)
        {
            _handlers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    /// <summary>Tells every subscriber here and, through the relay, on every other node.</summary>
    public async Task PublishAsync(AccessChanged change)
    {
        await DeliverAsync(change);
        if (relay is not null)
        {
            await relay.SendAsync(change);
        }
    }

    /// <summary>Tells this node's subscribers only (a change relayed from another node); one failing subscriber does not stop the others.</summary>
    public async Task DeliverAsync(AccessChanged change)
    {
        Func<AccessChanged, Task>[] handlers;
        lock (_lock)
        {
            handlers = [.. _handlers];
        }

        foreach (var handler in handlers)
        {
            try
            {
                await handler(change);
            }
            catch (Exception) when (handlers.Length > 0)
            {
                // A subscriber's failure is its own; the change still reaches the rest.
            }
        }
    }

    private sealed class Subscription(AccessChangeFeed feed, Func<AccessChanged, Task> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._lock)
            {
                feed._handlers.Remove(handler);
            }
        }
    }
}
