using CameraHub.CameraRegistry.Cluster;
using Medallion.Threading.Postgres;
using Npgsql;

namespace CameraHub.Cluster;

/// <summary>
/// Leases as PostgreSQL session-level advisory locks (DistributedLock.Postgres), each on its own connection: the lock
/// lives exactly as long as that connection, so a node killed with -9 loses its leases the moment PostgreSQL sees the
/// socket close, and another node's next try takes them.
/// </summary>
public sealed class PostgresClusterLeases(string connectionString, string nodeName) : IClusterLeases
{
    // Named after the node, so `SELECT application_name FROM pg_locks JOIN pg_stat_activity USING (pid)` shows who holds what.
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = $"camerahub-lease:{nodeName}" }.ConnectionString;

    public async Task<IClusterLease?> TryAcquireAsync(string name, CancellationToken ct)
    {
        var @lock = new PostgresDistributedLock(
            new PostgresAdvisoryLockKey($"camerahub:{name}", allowHashing: true), _connectionString,
            // Its own connection (no multiplexing), probed every few seconds, so a lost connection is noticed.
            o => o.UseMultiplexing(false).KeepaliveCadence(TimeSpan.FromSeconds(5)));
        var handle = await @lock.TryAcquireAsync(TimeSpan.Zero, ct);
        return handle is null ? null : new Held(handle);
    }

    private sealed class Held(PostgresDistributedLockHandle handle) : IClusterLease
    {
        public CancellationToken Lost => handle.HandleLostToken;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await handle.DisposeAsync();
            }
            catch (Exception e) when (e is InvalidOperationException or NpgsqlException)
            {
                // The connection broke (the lease was lost): PostgreSQL dropped the lock with it; nothing to release.
            }
        }
    }
}
