using CameraHub.CameraRegistry.Cluster;
using Medallion.Threading.Postgres;

namespace CameraHub.Cluster;

/// <summary>
/// Leases as PostgreSQL session-level advisory locks (DistributedLock.Postgres), each on its own connection: the lock
/// lives exactly as long as that connection, so a node killed with -9 loses its leases the moment PostgreSQL sees the
/// socket close, and another node's next try takes them.
/// </summary>
public sealed class PostgresClusterLeases(string connectionString) : IClusterLeases
{
    public async Task<IClusterLease?> TryAcquireAsync(string name, CancellationToken ct)
    {
        var @lock = new PostgresDistributedLock(
            new PostgresAdvisoryLockKey($"camerahub:{name}", allowHashing: true), connectionString,
            // Its own connection (no multiplexing), probed every few seconds, so a lost connection is noticed.
            o => o.UseMultiplexing(false).KeepaliveCadence(TimeSpan.FromSeconds(5)));
        var handle = await @lock.TryAcquireAsync(TimeSpan.Zero, ct);
        return handle is null ? null : new Held(handle);
    }

    private sealed class Held(PostgresDistributedLockHandle handle) : IClusterLease
    {
        public CancellationToken Lost => handle.HandleLostToken;

        public ValueTask DisposeAsync() => handle.DisposeAsync();
    }
}
