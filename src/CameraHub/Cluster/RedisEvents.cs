using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cluster;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CameraHub.Cluster;

/// <summary>
/// Access changes between nodes over Redis pub/sub: a grant revoked, a user disabled or an agreement withdrawn on one
/// node ends the open streams on every node within the message's round trip (milliseconds), not at the next sweep.
/// This half sends this node's changes; <see cref="RedisAccessChangeListener"/> hands the others' to this node.
/// </summary>
public sealed class RedisAccessChangeRelay(IConnectionMultiplexer redis, NodeIdentity node, IOptions<NodeOptions> options, ILogger<RedisAccessChangeRelay> logger)
    : IAccessChangeRelay
{
    /// <summary>The pub/sub channel every node of the cluster listens on.</summary>
    public static RedisChannel Channel(NodeOptions options) => RedisChannel.Literal($"{options.Cluster}:access-changed");

    public async Task SendAsync(AccessChanged change)
    {
        try
        {
            var json = JsonSerializer.Serialize(new AccessChangeMessage(node.InstanceId, change.UserName, change.Role, change.Reason));
            await redis.GetSubscriber().PublishAsync(Channel(options.Value), json);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // This node's streams already ended; the other nodes' sweeps do not catch a revocation, so say so loudly.
            logger.LogError(e, "Access change ({Reason}) could not be sent to the other nodes over Redis", change.Reason);
        }
    }
}

/// <summary>An access change on the wire, with the sending process so it does not deliver its own twice.</summary>
internal sealed record AccessChangeMessage(Guid From, string? UserName, string? Role, string Reason);

/// <summary>Hands access changes raised on other nodes to this node's subscribers (the broker's session supervisors).</summary>
public sealed class RedisAccessChangeListener(
    IConnectionMultiplexer redis, NodeIdentity node, AccessChangeFeed feed, IOptions<NodeOptions> options, TimeProvider time, ILogger<RedisAccessChangeListener> logger)
    : BackgroundService
{
    private RedisChannel Channel => RedisAccessChangeRelay.Channel(options.Value);

    /// <summary>While Redis is unreachable, how often every open stream on this node is re-checked against the database instead.</summary>
    public static readonly TimeSpan OutageRecheck = TimeSpan.FromSeconds(4);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Redis may not be up yet when the node starts: keep trying; once subscribed, the client re-subscribes itself after reconnects.
        var subscribed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!subscribed)
                {
                    await redis.GetSubscriber().SubscribeAsync(Channel, (_, value) => { var delivered = OnMessageAsync(value); });
                    subscribed = true;
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning("Subscribing to access changes over Redis failed ({Error}); retrying", e.Message);
            }

            if (!subscribed || !redis.IsConnected)
            {
                // Fail closed: a revocation on another node cannot reach us now, so every stream here is re-decided
                // from the shared database instead, and one that lost its grant still ends within the same 5 s.
                await feed.DeliverAsync(new AccessChanged(null, null, "re-checked while Redis is unreachable"));
            }

            await Task.Delay(OutageRecheck, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task OnMessageAsync(RedisValue value)
    {
        try
        {
            var message = JsonSerializer.Deserialize<AccessChangeMessage>(value.ToString());
            if (message is null || message.From == node.InstanceId)
            {
                return; // our own change, delivered here already
            }

            await feed.DeliverAsync(new AccessChanged(message.UserName, message.Role, message.Reason));
        }
        catch (JsonException e)
        {
            logger.LogWarning(e, "Ignored a malformed access-change message on {Channel}", Channel);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await redis.GetSubscriber().UnsubscribeAsync(Channel).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}

/// <summary>/healthz: Redis answers a PING (listed only when ConnectionStrings:Redis is set).</summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var rtt = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy($"Redis reachable ({rtt.TotalMilliseconds:0.0} ms)");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Events and stream revocations stop reaching the other nodes: the node still serves, so Degraded.
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded($"Redis unreachable: {e.Message}; events reach only this node's browsers");
        }
    }
}
