namespace CameraHub.CameraRegistry.Cluster;

/// <summary>
/// Claims on queued jobs (one evidence package each): a node takes one job out of a queue so that no other node
/// produces it, and a job whose node died becomes claimable again. On PostgreSQL a claim is a row naming the node,
/// taken with <c>FOR UPDATE SKIP LOCKED</c> and kept alive by a heartbeat until it expires; on one node (SQLite) it is
/// a process-local lease, as it always was.
/// </summary>
public interface IJobClaims
{
    /// <summary>
    /// Claims the first of <paramref name="candidates"/> (keys of jobs of <paramref name="kind"/>, in the order they
    /// should run) that nobody holds; null when every one is held by a live claim.
    /// </summary>
    Task<IJobClaim?> TryClaimAsync(string kind, IReadOnlyList<string> candidates, CancellationToken ct);
}

/// <summary>A held claim; dispose to release it (the job is done, or given up).</summary>
public interface IJobClaim : IAsyncDisposable
{
    /// <summary>The claimed job's key.</summary>
    string Key { get; }

    /// <summary>Fires when the claim was lost (it expired and another node may have taken the job): stop working on it.</summary>
    CancellationToken Lost { get; }
}

/// <summary>Claims as process-local leases "KIND:KEY": the single-node path, where this process is the whole cluster.</summary>
public sealed class LeaseJobClaims(IClusterLeases leases) : IJobClaims
{
    public async Task<IJobClaim?> TryClaimAsync(string kind, IReadOnlyList<string> candidates, CancellationToken ct)
    {
        foreach (var key in candidates)
        {
            if (await leases.TryAcquireAsync($"{kind}:{key}", ct) is { } lease)
            {
                return new Held(key, lease);
            }
        }

        return null;
    }

    private sealed class Held(string key, IClusterLease lease) : IJobClaim
    {
        public string Key => key;

        public CancellationToken Lost => lease.Lost;

        public ValueTask DisposeAsync() => lease.DisposeAsync();
    }
}
