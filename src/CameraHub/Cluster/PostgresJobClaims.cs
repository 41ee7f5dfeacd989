using CameraHub.CameraRegistry.Cluster;
using Npgsql;

namespace CameraHub.Cluster;

/// <summary>
/// Job claims as rows of "JobClaims" on PostgreSQL. A claim is taken in one short transaction: the first candidate
/// whose claim has expired is selected <c>FOR UPDATE SKIP LOCKED</c> (a row another node is claiming this instant is
/// skipped, not waited for), stamped with this node's name and an expiry, and committed. No lock is held while the
/// job runs (production updates the job's own rows for minutes); instead the claim is renewed every third of
/// <see cref="Timeout"/>, and a node killed with -9 stops renewing, so its claim lapses and the next node takes the job.
/// </summary>
public sealed class PostgresJobClaims(string connectionString, NodeIdentity node, ILogger<PostgresJobClaims> logger) : IJobClaims
{
    /// <summary>How long a claim outlives its last renewal: the longest a dead node's job waits before it is taken again.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    private readonly ILogger _logger = logger;
    private readonly string _node = node.Name;
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = $"camerahub-claims:{node.Name}" }.ConnectionString;

    public async Task<IJobClaim?> TryClaimAsync(string kind, IReadOnlyList<string> candidates, CancellationToken ct)
    {
        if (candidates.Count == 0)
        {
            return null;
        }

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(ct);
        var keys = candidates.ToArray();
        // Unclaimed jobs get their (expired) row first, so that every candidate has a row to lock.
        await using (var rows = new NpgsqlCommand("""
            INSERT INTO "JobClaims" ("Kind", "Key", "ExpiresAtUtc") SELECT @kind, k, '-infinity' FROM unnest(@keys) AS k
            ON CONFLICT ("Kind", "Key") DO NOTHING
            """, connection))
        {
            rows.Parameters.AddWithValue("kind", kind);
            rows.Parameters.AddWithValue("keys", keys);
            await rows.ExecuteNonQueryAsync(ct);
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        string? key;
        await using (var pick = new NpgsqlCommand("""
            SELECT "Key" FROM "JobClaims"
            WHERE "Kind" = @kind AND "Key" = ANY(@keys) AND "ExpiresAtUtc" < now()
            ORDER BY array_position(@keys, "Key") LIMIT 1
            FOR UPDATE SKIP LOCKED
            """, connection, tx))
        {
            pick.Parameters.AddWithValue("kind", kind);
            pick.Parameters.AddWithValue("keys", keys);
            key = await pick.ExecuteScalarAsync(ct) as string;
        }

        if (key is null)
        {
            return null;
        }

        await using (var take = new NpgsqlCommand("""
            UPDATE "JobClaims" SET "Node" = @node, "InstanceId" = @instance, "ClaimedAtUtc" = now(), "ExpiresAtUtc" = now() + @timeout
            WHERE "Kind" = @kind AND "Key" = @key
            """, connection, tx))
        {
            take.Parameters.AddWithValue("node", node.Name);
            take.Parameters.AddWithValue("instance", node.InstanceId);
            take.Parameters.AddWithValue("timeout", Timeout);
            take.Parameters.AddWithValue("kind", kind);
            take.Parameters.AddWithValue("key", key);
            await take.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        logger.LogInformation("Node {Node} claimed {Kind} job {Key}", node.Name, kind, key);
        return new Held(this, kind, key);
    }

    /// <summary>Extends the claim; false when it is no longer this process's (it lapsed and another node took it).</summary>
    private async Task<bool> RenewAsync(string kind, string key, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var renew = new NpgsqlCommand("""
            UPDATE "JobClaims" SET "ExpiresAtUtc" = now() + @timeout WHERE "Kind" = @kind AND "Key" = @key AND "InstanceId" = @instance
            """, connection);
        renew.Parameters.AddWithValue("timeout", Timeout);
        renew.Parameters.AddWithValue("kind", kind);
        renew.Parameters.AddWithValue("key", key);
        renew.Parameters.AddWithValue("instance", node.InstanceId);
        return await renew.ExecuteNonQueryAsync(ct) == 1;
    }

    private async Task ReleaseAsync(string kind, string key)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var release = new NpgsqlCommand("""DELETE FROM "JobClaims" WHERE "Kind" = @kind AND "Key" = @key AND "InstanceId" = @instance""", connection);
        release.Parameters.AddWithValue("kind", kind);
        release.Parameters.AddWithValue("key", key);
        release.Parameters.AddWithValue("instance", node.InstanceId);
        await release.ExecuteNonQueryAsync();
    }

    private sealed class Held : IJobClaim
    {
        private readonly PostgresJobClaims _owner;
        private readonly string _kind;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _heartbeat;

        public Held(PostgresJobClaims owner, string kind, string key)
        {
            _owner = owner;
            _kind = kind;
            Key = key;
            _heartbeat = HeartbeatAsync();
        }

        public string Key { get; }

        public CancellationToken Lost => _lost.Token;

        private async Task HeartbeatAsync()
        {
            var every = _owner.Timeout / 3;
            var renewed = TimeProvider.System.GetTimestamp();
            using var timer = new PeriodicTimer(every);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        if (!await _owner.RenewAsync(_kind, Key, _stop.Token))
                        {
                            _owner._logger.LogWarning("Node {Node} lost its claim on {Kind} job {Key}: another node holds it now", _owner._node, _kind, Key);
                            await _lost.CancelAsync();
                            return;
                        }

                        renewed = TimeProvider.System.GetTimestamp();
                    }
                    catch (NpgsqlException e) when (TimeProvider.System.GetElapsedTime(renewed) < _owner.Timeout - every)
                    {
                        _owner._logger.LogWarning(e, "Renewing the claim on {Kind} job {Key} failed; retrying", _kind, Key);
                    }
                    catch (NpgsqlException e)
                    {
                        // Unrenewed for nearly the whole timeout: another node may take the job any moment, so stop first.
                        _owner._logger.LogWarning(e, "The claim on {Kind} job {Key} could not be renewed in time; giving the job up", _kind, Key);
                        await _lost.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // released
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _heartbeat;
            try
            {
                await _owner.ReleaseAsync(_kind, Key);
            }
            catch (NpgsqlException e)
            {
                // Not released: the claim lapses by itself after the timeout.
                _owner._logger.LogWarning(e, "Releasing the claim on {Kind} job {Key} failed; it lapses by itself", _kind, Key);
            }

            _stop.Dispose();
            _lost.Dispose();
        }
    }
}
