using CameraHub.CameraRegistry.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.Cluster;

/// <summary>
/// Writes this node's row in the shared database every heartbeat interval: that row is how the nodes find each other
/// (GET /api/nodes). A failed write is logged and retried; the node keeps serving (its row just ages).
/// </summary>
public sealed class NodeHeartbeat(
    NodeIdentity node, IDbContextFactory<ClusterDbContext> contexts, IOptions<NodeOptions> options, TimeProvider time, ILogger<NodeHeartbeat> logger)
    : BackgroundService
{
    private bool _twinWarned;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        do
        {
            try
            {
                await BeatAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                logger.LogWarning(e, "Node {Node}: writing the heartbeat failed; retrying in {Interval}", node.Name, options.Value.HeartbeatInterval);
            }
        }
        while (await NextAsync(timer, stoppingToken));
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One heartbeat: insert or refresh this node's row.</summary>
    public async Task BeatAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Nodes.SingleOrDefaultAsync(n => n.Name == node.Name, ct);
        if (row is null)
        {
            db.Nodes.Add(row = new ClusterNode { Name = node.Name, Version = NodeIdentity.Version });
        }
        else if (row.InstanceId != node.InstanceId && row.StartedUtcTicks != node.StartedUtc.UtcTicks
            && now.UtcTicks - row.LastHeartbeatUtcTicks < options.Value.HeartbeatInterval.Ticks && !_twinWarned)
        {
            // Another live process writes under this name: both keep working, but the node list shows one of them.
            _twinWarned = true;
            logger.LogError("Node name {Node} is used by another live process too; give each node its own CameraHub:Node:Name", node.Name);
        }

        row.InstanceId = node.InstanceId;
        row.PublicUrl = node.PublicUrl;
        row.Version = NodeIdentity.Version;
        row.StartedUtcTicks = node.StartedUtc.UtcTicks;
        row.LastHeartbeatUtcTicks = now.UtcTicks;
        row.Weight = options.Value.Weight;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Marks this node gone at a clean stop, so the list does not show it for the rest of the alive window.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Nodes.Where(n => n.Name == node.Name && n.InstanceId == node.InstanceId)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.LastHeartbeatUtcTicks, 0L), cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug(e, "Node {Node}: could not mark itself stopped", node.Name);
        }
    }
}
