using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.Cluster;

/// <summary>One live node as GET /api/nodes shows it.</summary>
public sealed record NodeView(string Name, string? PublicUrl, string Version, DateTimeOffset StartedUtc, DateTimeOffset LastHeartbeatUtc, bool Self);

/// <summary>GET /api/nodes: the nodes alive (heartbeat within CameraHub:Node:AliveWithin), administrators only.</summary>
public static class NodeEndpoints
{
    public static IEndpointConventionBuilder MapNodes(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/nodes", ListAsync)
            .RequireAuthorization(p => p.RequireRole(HubRoles.Administrator))
            .WithTags("Cluster")
            .WithSummary("The hub's nodes alive: name, public URL, version, start time and last heartbeat");

    private static async Task<IResult> ListAsync(
        IDbContextFactory<ClusterDbContext> contexts, NodeIdentity self, IOptions<NodeOptions> options, TimeProvider time, CancellationToken ct)
    {
        var since = (time.GetUtcNow() - options.Value.AliveWithin).UtcTicks;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Nodes.AsNoTracking().Where(n => n.LastHeartbeatUtcTicks >= since).OrderBy(n => n.Name).ToListAsync(ct);
        return Results.Ok(rows.Select(n => new NodeView(
            n.Name, n.PublicUrl, n.Version, new DateTimeOffset(n.StartedUtcTicks, TimeSpan.Zero), new DateTimeOffset(n.LastHeartbeatUtcTicks, TimeSpan.Zero),
            n.Name == self.Name && n.InstanceId == self.InstanceId)));
    }
}
