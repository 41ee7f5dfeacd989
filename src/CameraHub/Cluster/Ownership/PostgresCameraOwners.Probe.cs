using CameraHub.CameraRegistry.Cluster;
using Medallion.Threading.Postgres;
using Npgsql;

namespace CameraHub.Cluster.Ownership;

/// <summary>The probe: membership, fencing by epoch, handover, and giving every claim up when the connection breaks.</summary>
public sealed partial class PostgresCameraOwners
{
    /// <summary>
    /// One probe: refresh the members (heartbeat alive, ownership connection open, not drained), drop claims another
    /// node took (fencing by epoch), learn other nodes' changes, and hand over cameras whose target is now another node.
    /// A failure gives every claim up.
    /// </summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        var fenced = new List<string>();
        var learned = new List<CameraOwnerChange>();
        bool changed;
        await _db.WaitAsync(ct);
        try
        {
            var connection = await ConnectionAsync(ct);
            var since = (_time.GetUtcNow() - _options.Value.AliveWithin).UtcTicks;
            var connected = new Dictionary<string, OwnerCandidate>(StringComparer.Ordinal);
            var members = new List<OwnerCandidate>();
            await using (var query = new NpgsqlCommand("""
                SELECT n."Name", n."PublicUrl", n."Drained", n."Weight",
                       EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = @prefix || n."Name")
                FROM "ClusterNodes" n WHERE n."LastHeartbeatUtcTicks" >= @since OR n."Name" = @self
                """, connection))
            {
                // This node is alive by definition: it counts itself whatever its heartbeat row says (not written yet at
                // start, or aged by a clock that jumped), so a single node never waits for its own heartbeat.
                query.Parameters.AddWithValue("prefix", ApplicationPrefix);
                query.Parameters.AddWithValue("since", since);
                query.Parameters.AddWithValue("self", _node.Name);
                await using var reader = await query.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var candidate = new OwnerCandidate(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetDouble(3));
                    if (!reader.GetBoolean(4) && candidate.Name != _node.Name)
                    {
                        continue;
                    }

                    connected[candidate.Name] = candidate;
                    if (!reader.GetBoolean(2))
                    {
                        members.Add(candidate);
                    }
                }
            }

            if (!connected.ContainsKey(_node.Name))
            {
                var self = Self();
                connected[self.Name] = self;
                members.Add(self);
            }

            members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            changed = !members.SequenceEqual(_members);
            _members = members;
            _connected = connected;

            // Fencing: a claim row that no longer names this instance with our epoch is not ours any more.
            var mine = new Dictionary<string, long>(StringComparer.Ordinal);
            await using (var query = new NpgsqlCommand("""SELECT "CameraId", "Epoch" FROM "CameraClaims" WHERE "InstanceId" = @i""", connection))
            {
                query.Parameters.AddWithValue("i", _node.InstanceId);
                await using var reader = await query.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    mine[reader.GetString(0)] = reader.GetInt64(1);
                }
            }

            lock (_held)
            {
                fenced.AddRange(_held.Where(h => !mine.TryGetValue(h.Key, out var epoch) || epoch != h.Value.Epoch).Select(h => h.Key));
            }

            await using (var query = new NpgsqlCommand("""
                SELECT "CameraId", "Node", "Epoch", "ChangedAtUtc" FROM "CameraClaims" WHERE "ChangedAtUtc" > @since ORDER BY "ChangedAtUtc"
                """, connection))
            {
                query.Parameters.AddWithValue("since", _changesSince);
                await using var reader = await query.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    _changesSince = reader.GetDateTime(3);
                    var node = reader.IsDBNull(1) ? null : reader.GetString(1);
                    if (node != _node.Name)
                    {
                        var owner = node is null ? null : new CameraOwner(reader.GetString(0), node, connected.GetValueOrDefault(node)?.PublicUrl, reader.GetInt64(2), false);
                        learned.Add(new CameraOwnerChange(reader.GetString(0), null, owner));
                    }
                }
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogProbeFailed(_logger, e);
            await LoseAllLockedAsync("the ownership connection failed its probe");
            return;
        }
        finally
        {
            _db.Release();
        }

        foreach (var camera in fenced)
        {
            LogFenced(_logger, camera);
            await LeaveAsync(camera, ct);
        }

        foreach (var change in learned)
        {
            Raise(change);
        }

        if (changed)
        {
            LogMembers(_logger, string.Join(", ", _members.Select(m => m.Name)));
        }

        if (Cameras is { } cameras && (changed || _camerasAt == 0 || _time.GetElapsedTime(_camerasAt) >= CameraRefresh))
        {
            _cameras = await cameras(ct);
            _camerasAt = _time.GetTimestamp();
        }

        var assignment = Rendezvous.Assign(_cameras, _members);
        if (assignment.Count != _assignment.Count || assignment.Any(a => _assignment.GetValueOrDefault(a.Key) != a.Value))
        {
            _assignment = assignment;
            changed = true;
        }

        if (changed)
        {
            foreach (var camera in Owned.Where(c => !IsAssignedLocally(c)))
            {
                // Handover: stop pulling first, then unlock, so the new owner never overlaps this one.
                LogHandover(_logger, camera, Target(camera)?.Name ?? "nobody");
                await LeaveAsync(camera, ct);
            }

            try
            {
                MembershipChanged?.Invoke();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogHandlerFailed(_logger, e);
            }
        }
    }

    /// <summary>The ownership connection broke: every claim is gone; stop pulling those cameras before a new connection is opened. Call under _db.</summary>
    private async Task LoseAllLockedAsync(string reason)
    {
        List<string> lost;
        lock (_held)
        {
            lost = [.. _held.Keys];
            _held.Clear();
            _leaving.Clear();
        }

        if (lost.Count > 0)
        {
            LogLostAll(_logger, lost.Count, reason);
        }

        foreach (var camera in lost)
        {
            await StopAsync(camera);
        }

        if (_connection is { } connection)
        {
            _connection = null;
            try
            {
                await connection.DisposeAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
            {
                // already broken
            }
        }

        foreach (var camera in lost)
        {
            Raise(new CameraOwnerChange(camera, new CameraOwner(camera, _node.Name, _node.PublicUrl, 0, true), null));
        }
    }
}
