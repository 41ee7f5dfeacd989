using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.Cluster;

/// <summary>One live node as GET /api/nodes shows it: drained (takes no cameras) and how many cameras it holds now.</summary>
public sealed record NodeView(
    string Name, string? PublicUrl, string Version, DateTimeOffset StartedUtc, DateTimeOffset LastHeartbeatUtc, bool Self, bool Drained = false, int Cameras = 0);

/// <summary>
/// GET /api/nodes: the nodes alive (heartbeat within CameraHub:Node:AliveWithin); POST /api/nodes/{name}/drain and
/// /undrain: a drained node hands its cameras over and takes none until undrained (issue #17). Administrators only;
/// draining is audited.
/// </summary>
public static class NodeEndpoints
{
    public static IEndpointConventionBuilder MapNodes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/nodes").RequireAuthorization(p => p.RequireRole(HubRoles.Administrator)).WithTags("Cluster");
        group.MapGet("", ListAsync).WithSummary("The hub's nodes alive: name, public URL, version, start time, last heartbeat, drained, cameras held");
        group.MapPost("/{name}/drain", (string name, HttpContext http, IDbContextFactory<ClusterDbContext> contexts, IAuditLog audit, CancellationToken ct) =>
            SetDrainedAsync(name, true, http, contexts, audit, ct)).WithSummary("Moves the node's cameras to the others; it takes none until undrained");
        group.MapPost("/{name}/undrain", (string name, HttpContext http, IDbContextFactory<ClusterDbContext> contexts, IAuditLog audit, CancellationToken ct) =>
            SetDrainedAsync(name, false, http, contexts, audit, ct)).WithSummary("Lets a drained node take cameras again");
        return group;
    }

    private static async Task<IResult> ListAsync(
        IDbContextFactory<ClusterDbContext> contexts, NodeIdentity self, IOptions<NodeOptions> options, TimeProvider time, CancellationToken ct)
    {
        var since = (time.GetUtcNow() - options.Value.AliveWithin).UtcTicks;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Nodes.AsNoTracking().Where(n => n.LastHeartbeatUtcTicks >= since).OrderBy(n => n.Name).ToListAsync(ct);
        var cameras = await db.CameraClaims.AsNoTracking().Where(c => c.Node != null).GroupBy(c => c.Node!)
            .Select(g => new { Node = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Node, g => g.Count, ct);
        return Results.Ok(rows.Select(n => new NodeView(
            n.Name, n.PublicUrl, n.Version, new DateTimeOffset(n.StartedUtcTicks, TimeSpan.Zero), new DateTimeOffset(n.LastHeartbeatUtcTicks, TimeSpan.Zero),
            n.Name == self.Name && n.InstanceId == self.InstanceId, n.Drained, cameras.GetValueOrDefault(n.Name))));
    }

    private static async Task<IResult> SetDrainedAsync(
        string name, bool drained, HttpContext http, IDbContextFactory<ClusterDbContext> contexts, IAuditLog audit, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Nodes.SingleOrDefaultAsync(n => n.Name == name, ct);
        if (row is null)
        {
            return Results.Problem($"No node is named '{name}'.", statusCode: StatusCodes.Status404NotFound);
        }

        row.Drained = drained;
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(drained ? AuditAction.NodeDrained : AuditAction.NodeUndrained, AuditOutcome.Allowed, AccessGate.Actor(http),
            RemoteAddress: AccessGate.RemoteAddress(http), SubjectType: "node", SubjectId: name), ct);
        return Results.Ok(new { name, drained });
    }
}
