using System.Collections.Concurrent;

namespace CameraHub.CameraRegistry.Cluster;

/// <summary>
/// Cluster-wide mutual exclusion for work that must not run twice at once: a singleton job's pass, the recording
/// schedule, one evidence package. On one node (SQLite) a lease is a process-local lock; with PostgreSQL it is a
/// session-level advisory lock, released by PostgreSQL itself when the holding node's connection dies (kill -9).
/// </summary>
public interface IClusterLeases
{
    /// <summary>Takes the lease <paramref name="name"/> if nobody holds it; null when another holder (node) has it.</summary>
    Task<IClusterLease?> TryAcquireAsync(string name, CancellationToken ct);
}

/// <summary>A held lease; dispose to release it.</summary>
public interface IClusterLease : IAsyncDisposable
{
    /// <summary>Fires when the lease was lost without being released (the database connection behind it broke).</summary>
    CancellationToken Lost { get; }
}

/// <summary>Leases of one process: the embedded default, where this node is the whole cluster.</summary>
public sealed class LocalClusterLeases : IClusterLeases
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public Task<IClusterLease?> TryAcquireAsync(string name, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        return Task.FromResult<IClusterLease?>(gate.Wait(0, ct) ? new Held(gate) : null);
    }

    private sealed class Held(SemaphoreSlim gate) : IClusterLease
    {
        private int _released;

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Running a job once per cluster.</summary>
public static class ClusterLeaseExtensions
{
    /// <summary>
    /// Runs <paramref name="pass"/> while holding the lease <paramref name="name"/>, so one node at a time does it;
    /// returns false (and runs nothing) when another node holds it. The pass is cancelled if the lease is lost.
    /// </summary>
    public static async Task<bool> RunOnceInClusterAsync(this IClusterLeases leases, string name, Func<CancellationToken, Task> pass, CancellationToken ct)
    {
        await using var lease = await leases.TryAcquireAsync(name, ct);
        if (lease is null)
        {
            return false;
        }

        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, lease.Lost);
        await pass(both.Token);
        return true;
    }
}

/// <summary>
/// A lease a node keeps across passes (the recording schedule: the node that holds it records), re-taken when lost
/// and tried again on each pass while another node holds it.
/// </summary>
public sealed class KeptLease(IClusterLeases leases, string name) : IAsyncDisposable
{
    private IClusterLease? _lease;

    /// <summary>Whether this node holds the lease now, taking it if it is free.</summary>
    public async Task<bool> HoldAsync(CancellationToken ct)
    {
        if (_lease is { } held)
        {
            if (!held.Lost.IsCancellationRequested)
            {
                return true;
            }

            _lease = null;
            await held.DisposeAsync();
        }

        _lease = await leases.TryAcquireAsync(name, ct);
        return _lease is not null;
    }

    /// <summary>Whether the lease is held now (without trying to take it).</summary>
    public bool Held => _lease is { Lost.IsCancellationRequested: false };

    /// <summary>Fires when the held lease is lost; none while not held.</summary>
    public CancellationToken Lost => _lease?.Lost ?? CancellationToken.None;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _lease, null) is { } held)
        {
            await held.DisposeAsync();
        }
    }
}
