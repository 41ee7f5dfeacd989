using System.Diagnostics;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.Cluster;
using CameraHub.Tests.Shared;
using Npgsql;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// The singleton-job lease on a real PostgreSQL: one holder at a time across nodes, free again when released, and free
/// the moment the holder's connection dies (what kill -9 of a node does), with the holder told it lost it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterLeaseTests
{
    [Fact]
    public async Task One_node_holds_a_lease_at_a_time_and_a_dead_holders_lease_is_taken_by_another()
    {
        var database = await (await ClusterEngines.PostgresAsync()).CreateDatabaseAsync();
        var nodeA = new PostgresClusterLeases(database, "A");
        var nodeB = new PostgresClusterLeases(database, "B");

        var held = await nodeA.TryAcquireAsync("retention", CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(await nodeB.TryAcquireAsync("retention", CancellationToken.None));
        await using (var other = await nodeB.TryAcquireAsync("evidence:1", CancellationToken.None))
        {
            Assert.NotNull(other); // another job's lease is free
        }

        await held.DisposeAsync();
        var taken = await nodeB.TryAcquireAsync("retention", CancellationToken.None);
        Assert.NotNull(taken);

        // B's connection dies as a killed node's would: PostgreSQL drops its advisory locks, A takes the lease at once.
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_locks JOIN pg_stat_activity USING (pid) WHERE locktype = 'advisory' AND granted AND application_name = 'camerahub-lease:B'", admin);
            await kill.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        IClusterLease? again = null;
        while (again is null && clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            again = await nodeA.TryAcquireAsync("retention", CancellationToken.None);
        }

        Assert.NotNull(again);
        while (!taken.Lost.IsCancellationRequested && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        Assert.True(taken.Lost.IsCancellationRequested, "the node whose connection died was not told it lost the lease");
        await taken.DisposeAsync();
        await again.DisposeAsync();
    }

    [Fact]
    public async Task In_one_process_the_lease_is_a_local_lock_and_run_once_skips_while_it_is_held()
    {
        var leases = new LocalClusterLeases();
        await using var held = await leases.TryAcquireAsync("retention", CancellationToken.None);
        Assert.NotNull(held);
        var ran = await leases.RunOnceInClusterAsync("retention", _ => Task.CompletedTask, CancellationToken.None);
        Assert.False(ran);
        await held.DisposeAsync();
        Assert.True(await leases.RunOnceInClusterAsync("retention", _ => Task.CompletedTask, CancellationToken.None));
    }
}
