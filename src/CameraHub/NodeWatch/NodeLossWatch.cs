using CameraHub.CameraRegistry.Cluster;
using CameraHub.Cluster;
using CameraHub.StreamBroker.Alarms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.NodeWatch;

/// <summary>Thresholds of the node watch (CameraHub:Alarms).</summary>
public sealed class NodeLossOptions
{
    /// <summary>A node whose last heartbeat is older than this is lost (several missed beats; the default beat is 3 s).</summary>
    public int NodeLostSeconds { get; set; } = 30;
}

/// <summary>
/// Raises <c>hub.NodeLost</c> for a node of the cluster whose heartbeat row (ClusterNodes, read only) is older than
/// <see cref="NodeLossOptions.NodeLostSeconds"/>, and clears it when the node beats again. One node of the cluster
/// looks at a time (a cluster lease), so each loss is raised once; a loss already raised (an alarm newer than the
/// node's last beat, even one an operator closed) is not raised again. A node stopped cleanly marks its row stopped
/// (heartbeat 0) and is not lost. See docs/design/alarms.md.
/// </summary>
public sealed class NodeLossWatch(
    IDbContextFactory<ClusterDbContext> cluster, IDbContextFactory<AlarmsDbContext> alarms, IAlarmSink sink, IClusterLeases leases, NodeIdentity self,
    IOptions<NodeLossOptions> options, IOptions<HubAlarmOptions> checks, TimeProvider time, ILogger<NodeLossWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await leases.RunOnceInClusterAsync("alarms:node-loss", CheckOnceAsync, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "The node watch failed a round; trying again");
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(checks.Value.CheckSeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One look at the heartbeat table: raise the newly lost, clear the ones beating again.</summary>
    public async Task CheckOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var lostBefore = (now - TimeSpan.FromSeconds(options.Value.NodeLostSeconds)).UtcTicks;
        List<ClusterNode> nodes;
        await using (var db = await cluster.CreateDbContextAsync(ct))
        {
            nodes = await db.Nodes.AsNoTracking().ToListAsync(ct);
        }

        await using var store = await alarms.CreateDbContextAsync(ct);
        foreach (var node in nodes.Where(n => n.Name != self.Name))
        {
            if (node.LastHeartbeatUtcTicks > lostBefore)
            {
                continue;
            }

            // Stopped cleanly (heartbeat 0), or this loss already raised: nothing new.
            var raised = await store.Alarms.AsNoTracking()
                .AnyAsync(a => a.Kind == HubAlarmKinds.NodeLost && a.Key == node.Name && a.RaisedUtcTicks >= node.LastHeartbeatUtcTicks, ct);
            if (node.LastHeartbeatUtcTicks == 0 || raised)
            {
                continue;
            }

            var last = new DateTimeOffset(node.LastHeartbeatUtcTicks, TimeSpan.Zero);
            logger.LogWarning("Node {Node} lost: last heartbeat {Last:u}", node.Name, last);
            await sink.RaiseAsync(new HubAlarm(HubAlarmKinds.NodeLost, node.Name, AlarmSeverity.Major,
                $"Node {node.Name} ({node.PublicUrl ?? "no public address"}) has not reported since {last:yyyy-MM-dd HH:mm:ss} UTC "
                + $"({(now - last).TotalSeconds:0} s): its cameras' recording and live views may have moved to other nodes or stopped"), ct);
        }

        var open = await store.Alarms.AsNoTracking()
            .Where(a => a.Kind == HubAlarmKinds.NodeLost && a.State != AlarmState.Closed && a.ClearedUtcTicks == null)
            .Select(a => a.Key).Distinct().ToListAsync(ct);
        foreach (var name in open.Where(name => name == self.Name || nodes.Any(n => n.Name == name && n.LastHeartbeatUtcTicks > lostBefore)))
        {
            // Beating again (or it is this node, which is plainly alive): the cause is gone.
            await sink.ClearAsync(HubAlarmKinds.NodeLost, name, ct);
        }
    }
}

/// <summary>Composition of the node watch (after AddAlarms and AddHubCluster).</summary>
public static class NodeWatchModule
{
    public static IServiceCollection AddNodeLossWatch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeLossOptions>().Bind(configuration.GetSection(AlarmOptions.Section));
        services.AddSingleton<NodeLossWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeLossWatch>());
        return services;
    }
}
