using CameraHub.CameraRegistry.Cluster;
using Medallion.Threading.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CameraHub.Cluster.Ownership;

/// <summary>
/// Camera ownership on PostgreSQL (docs/design/scale.md, "Camera ownership"): the camera's rendezvous target among the
/// live, undrained nodes claims it with a session-level advisory lock on this node's one ownership connection and a
/// <c>CameraClaims</c> row whose epoch grows with every claim. A probe every <see cref="ProbeInterval"/> refreshes the
/// members, fences claims another node took, hands over cameras that are now another node's, and gives up every
/// claim (after stopping their pullers) when the connection breaks.
/// </summary>
public sealed partial class PostgresCameraOwners : ICameraOwners, IAsyncDisposable
{
    /// <summary>How often membership and this node's claims are checked.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>PostgreSQL ends the ownership session (and its locks) of a node silent this long (idle_session_timeout).</summary>
    public static readonly TimeSpan LockIdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The application name prefix of ownership connections: a node is a member only while its connection is open.</summary>
    public const string ApplicationPrefix = "camerahub-owners:";

    private readonly string _lockConnectionString;
    private readonly NpgsqlDataSource _queries;
    private readonly NodeIdentity _node;
    private readonly IOptions<NodeOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _db = new(1, 1);
    private int _disposed;
    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);

    // Held cameras being handed over or fenced: not owned any more for every puller (none may re-attach while the
    // old upstream closes), but still locked until it has.
    private readonly HashSet<string> _leaving = new(StringComparer.Ordinal);
    private NpgsqlConnection? _connection;
    private volatile IReadOnlyList<OwnerCandidate> _members = [];
    private volatile Dictionary<string, OwnerCandidate> _connected = new(StringComparer.Ordinal);
    private DateTime _changesSince = DateTime.UnixEpoch;
    private volatile Dictionary<string, string> _assignment = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _cameras = [];
    private long _camerasAt;

    /// <summary>How often the list of cameras the assignment spreads is re-read from the registry.</summary>
    public static readonly TimeSpan CameraRefresh = TimeSpan.FromSeconds(5);

    private sealed record Held(PostgresDistributedLockHandle Handle, long Epoch);

    public PostgresCameraOwners(string connectionString, NodeIdentity node, IOptions<NodeOptions> options, TimeProvider time, ILogger<PostgresCameraOwners> logger)
    {
        _node = node;
        _options = options;
        _time = time;
        _logger = logger;
        _lockConnectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = ApplicationPrefix + node.Name,
            // One dedicated session: closing it must really end it (and drop every camera lock with it).
            Pooling = false,
            CommandTimeout = 3,
        }.ConnectionString;
        _queries = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = $"camerahub-owner-queries:{node.Name}" }.ConnectionString);
    }

    /// <summary>Stops everything this node pulls for a camera (recorder, paths) and waits until it has; set by the host.</summary>
    public Func<string, Task>? StopPulling { get; set; }

    /// <summary>The cameras the assignment spreads (the registry's active, reachable ones); set by the host.</summary>
    public Func<CancellationToken, Task<IReadOnlyList<string>>>? Cameras { get; set; }

    /// <summary>Sends cameraOwnerChanged to the camera's followers on every node; set by the host.</summary>
    public Func<string, CameraOwner?, Task>? Publish { get; set; }

    public event Action<CameraOwnerChange>? OwnerChanged;

    public event Action? MembershipChanged;

    /// <summary>The live, undrained nodes, as of the last probe.</summary>
    public IReadOnlyList<OwnerCandidate> Members => _members;

    /// <summary>Cameras this node holds now.</summary>
    public IReadOnlyList<string> Owned
    {
        get
        {
            lock (_held)
            {
                return [.. _held.Keys];
            }
        }
    }

    public bool OwnsLocally(string cameraId)
    {
        lock (_held)
        {
            return _held.ContainsKey(cameraId) && !_leaving.Contains(cameraId);
        }
    }

    private bool Holds(string cameraId)
    {
        lock (_held)
        {
            return _held.ContainsKey(cameraId);
        }
    }

    /// <summary>Stops pulling a held camera, then unlocks it: the next owner never overlaps this one.</summary>
    private async Task LeaveAsync(string cameraId, CancellationToken ct)
    {
        lock (_held)
        {
            _leaving.Add(cameraId);
        }

        try
        {
            await StopAsync(cameraId);
            await ReleaseAsync(cameraId, ct);
        }
        finally
        {
            lock (_held)
            {
                _leaving.Remove(cameraId);
            }
        }
    }

    public bool IsAssignedLocally(string cameraId) => Target(cameraId)?.Name == _node.Name;

    /// <summary>The member the assignment names for the camera (plain rendezvous for a camera the registry list does not hold yet).</summary>
    private OwnerCandidate? Target(string cameraId)
    {
        // Before the first probe this node knows only itself: a single node serves at once, and in a cluster the first
        // probe hands over what the assignment gives another node (the claim's advisory lock keeps a held camera held).
        var members = _members is { Count: > 0 } known ? known : [Self()];
        return _assignment.TryGetValue(cameraId, out var name) && members.FirstOrDefault(m => m.Name == name) is { } assigned
            ? assigned
            : Rendezvous.Pick(cameraId, members);
    }

    private OwnerCandidate Self() => new(_node.Name, _node.PublicUrl, _options.Value.Weight);

    public async ValueTask<CameraOwner?> OwnerOfAsync(string cameraId, CancellationToken ct)
    {
        if (Local(cameraId) is { } mine)
        {
            return mine;
        }

        string? node = null;
        long epoch = 0;
        await using (var command = _queries.CreateCommand("""SELECT "Node", "Epoch" FROM "CameraClaims" WHERE "CameraId" = @c"""))
        {
            command.Parameters.AddWithValue("c", cameraId);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                node = reader.IsDBNull(0) ? null : reader.GetString(0);
                epoch = reader.GetInt64(1);
            }
        }

        if (node is not null && node != _node.Name && _connected.TryGetValue(node, out var holder))
        {
            return new CameraOwner(cameraId, holder.Name, holder.PublicUrl, epoch, IsLocal: false);
        }

        // Nobody alive holds it: its rendezvous target will claim it when a viewer (or its recorder) arrives.
        return Target(cameraId) is { } target
            ? new CameraOwner(cameraId, target.Name, target.PublicUrl, epoch, target.Name == _node.Name)
            : null;
    }

    private CameraOwner? Local(string cameraId)
    {
        lock (_held)
        {
            return _held.TryGetValue(cameraId, out var held) ? new CameraOwner(cameraId, _node.Name, _node.PublicUrl, held.Epoch, IsLocal: true) : null;
        }
    }

    public async ValueTask<bool> TryClaimAsync(string cameraId, CancellationToken ct)
    {
        if (Holds(cameraId))
        {
            return OwnsLocally(cameraId);
        }

        if (!IsAssignedLocally(cameraId))
        {
            return false;
        }

        CameraOwner claimed;
        await _db.WaitAsync(ct);
        try
        {
            if (Holds(cameraId))
            {
                return OwnsLocally(cameraId);
            }

            var connection = await ConnectionAsync(ct);
            var handle = await new PostgresDistributedLock(LockKey(cameraId), connection).TryAcquireAsync(TimeSpan.Zero, ct);
            if (handle is null)
            {
                // Another node still holds it (it is handing it over, or PostgreSQL has not yet ended a dead node's session).
                return false;
            }

            await using var upsert = new NpgsqlCommand("""
                INSERT INTO "CameraClaims" ("CameraId", "Node", "InstanceId", "Epoch", "ClaimedAtUtc", "ChangedAtUtc")
                VALUES (@c, @n, @i, 1, now(), clock_timestamp())
                ON CONFLICT ("CameraId") DO UPDATE SET "Node" = EXCLUDED."Node", "InstanceId" = EXCLUDED."InstanceId",
                    "Epoch" = "CameraClaims"."Epoch" + 1, "ClaimedAtUtc" = now(), "ChangedAtUtc" = clock_timestamp()
                RETURNING "Epoch"
                """, connection);
            upsert.Parameters.AddWithValue("c", cameraId);
            upsert.Parameters.AddWithValue("n", _node.Name);
            upsert.Parameters.AddWithValue("i", _node.InstanceId);
            var epoch = (long)(await upsert.ExecuteScalarAsync(ct))!;
            lock (_held)
            {
                _held[cameraId] = new Held(handle, epoch);
            }

            claimed = new CameraOwner(cameraId, _node.Name, _node.PublicUrl, epoch, IsLocal: true);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogClaimFailed(_logger, e, cameraId);
            await LoseAllLockedAsync("a claim failed on the ownership connection");
            return false;
        }
        finally
        {
            _db.Release();
        }

        LogClaimed(_logger, cameraId, claimed.Epoch);
        Raise(new CameraOwnerChange(cameraId, null, claimed));
        await PublishAsync(cameraId, claimed);
        return true;
    }

    public async ValueTask ReleaseAsync(string cameraId, CancellationToken ct)
    {
        // Not held (already lost or handed over): nothing to do, and no wait for the connection a loss is closing.
        if (!Holds(cameraId))
        {
            return;
        }

        await _db.WaitAsync(ct);
        CameraOwner? previous;
        try
        {
            previous = Local(cameraId);
            Held? held;
            lock (_held)
            {
                _held.Remove(cameraId, out held);
            }

            if (held is null)
            {
                return;
            }

            try
            {
                if (_connection is { } connection)
                {
                    await using var update = new NpgsqlCommand("""
                        UPDATE "CameraClaims" SET "Node" = NULL, "InstanceId" = NULL, "ChangedAtUtc" = clock_timestamp()
                        WHERE "CameraId" = @c AND "InstanceId" = @i
                        """, connection);
                    update.Parameters.AddWithValue("c", cameraId);
                    update.Parameters.AddWithValue("i", _node.InstanceId);
                    await update.ExecuteNonQueryAsync(ct);
                }

                await held.Handle.DisposeAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogClaimFailed(_logger, e, cameraId);
                await LoseAllLockedAsync("a release failed on the ownership connection");
            }
        }
        finally
        {
            _db.Release();
        }

        LogReleased(_logger, cameraId);
        Raise(new CameraOwnerChange(cameraId, previous, null));
    }

    private async Task StopAsync(string cameraId)
    {
        try
        {
            if (StopPulling is { } stop)
            {
                await stop(cameraId);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogHandlerFailed(_logger, e);
        }
    }

    private async Task<NpgsqlConnection> ConnectionAsync(CancellationToken ct)
    {
        if (_connection is { } open)
        {
            return open;
        }

        var connection = new NpgsqlConnection(_lockConnectionString);
        await connection.OpenAsync(ct);
        // PostgreSQL itself ends the session of a node that stopped probing (cut off, frozen): its locks go with it.
        await using (var set = new NpgsqlCommand($"SET idle_session_timeout = {(int)LockIdleTimeout.TotalMilliseconds}", connection))
        {
            await set.ExecuteNonQueryAsync(ct);
        }

        _connection = connection;
        return connection;
    }

    private static PostgresAdvisoryLockKey LockKey(string cameraId) => new($"camerahub-camera:{cameraId}", allowHashing: true);

    private void Raise(CameraOwnerChange change)
    {
        try
        {
            OwnerChanged?.Invoke(change);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogHandlerFailed(_logger, e);
        }
    }

    private async Task PublishAsync(string cameraId, CameraOwner? owner)
    {
        try
        {
            if (Publish is { } publish)
            {
                await publish(cameraId, owner);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogHandlerFailed(_logger, e);
        }
    }

    /// <summary>A clean stop: the claim rows name nobody, and closing the session drops every lock.</summary>
    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as ICameraOwners, so the container disposes it twice: the second call does nothing.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _db.WaitAsync();
        try
        {
            if (_connection is { } connection)
            {
                try
                {
                    await using var update = new NpgsqlCommand("""UPDATE "CameraClaims" SET "Node" = NULL, "InstanceId" = NULL, "ChangedAtUtc" = clock_timestamp() WHERE "InstanceId" = @i""", connection);
                    update.Parameters.AddWithValue("i", _node.InstanceId);
                    await update.ExecuteNonQueryAsync();
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    LogProbeFailed(_logger, e);
                }

                await connection.DisposeAsync();
                _connection = null;
            }
        }
        finally
        {
            _db.Release();
        }

        await _queries.DisposeAsync();
        _db.Dispose();
    }
}
