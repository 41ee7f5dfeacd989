using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Audit;

/// <summary>
/// Appends audit events as a hash chain: each entry's hash covers the previous hash and a canonical,
/// length-prefixed encoding of the entry, so altering or removing a row breaks every later link.
/// Appends run in an immediate SQLite transaction, so two processes (hub and CLI) cannot fork the chain; on PostgreSQL
/// every append first takes one transaction-scoped advisory lock, so all nodes' writers queue for the head in turn.
/// </summary>
public sealed class HashChainedAuditLog(IDbContextFactory<AccessDbContext> contexts, TimeProvider time) : IAuditLog, IDisposable
{
    /// <summary>The previous hash of the first entry.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Raised after each committed append with the new head's sequence (the checkpointer counts with it).</summary>
    public event Action<long>? Appended;

    public async Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken ct) =>
        (await AppendManyAsync([auditEvent], ct))[0];

    /// <summary>Appends several events in one transaction (retention sweeps, bulk loads); returns their sequences.</summary>
    public async Task<long[]> AppendManyAsync(IReadOnlyList<AuditEvent> events, CancellationToken ct)
    {
        var sequences = new long[events.Count];
        await _gate.WaitAsync(ct);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            await db.Database.OpenConnectionAsync(ct);
            var connection = db.Database.GetDbConnection();
            await using var tx = await connection.BeginTransactionAsync(ct);
            if (db.Database.IsNpgsql())
            {
                await LockChainAsync(connection, tx, ct);
            }

            var (sequence, previous) = await HeadAsync(connection, tx, ct);
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO "AuditEntries" ("Sequence", "AtTicks", "Actor", "Action", "Outcome", "CameraId", "Purpose", "RemoteAddress", "Details", "SubjectType", "SubjectId", "PreviousHash", "Hash")
                VALUES (@seq, @at, @actor, @action, @outcome, @camera, @purpose, @remote, @details, @stype, @sid, @prev, @hash)
                """;
            var p = new Dictionary<string, DbParameter>();
            foreach (var name in new[] { "@seq", "@at", "@actor", "@action", "@outcome", "@camera", "@purpose", "@remote", "@details", "@stype", "@sid", "@prev", "@hash" })
            {
                var parameter = insert.CreateParameter();
                parameter.ParameterName = name;
                insert.Parameters.Add(parameter);
                p[name] = parameter;
            }

            for (var i = 0; i < events.Count; i++)
            {
                var e = AuditBounds.Apply(events[i]);
                var entry = new AuditEntry
                {
                    Sequence = ++sequence,
                    AtTicks = time.GetUtcNow().UtcTicks,
                    Actor = e.Actor,
                    Action = e.Action,
                    Outcome = e.Outcome,
                    CameraId = e.CameraId,
                    Purpose = e.Purpose,
                    RemoteAddress = e.RemoteAddress,
                    Details = e.Details,
                    SubjectType = e.SubjectType,
                    SubjectId = e.SubjectId,
                    PreviousHash = previous,
                    Hash = string.Empty,
                };
                entry.Hash = ComputeHash(entry);
                p["@seq"].Value = entry.Sequence;
                p["@at"].Value = entry.AtTicks;
                p["@actor"].Value = entry.Actor;
                p["@action"].Value = (int)entry.Action;
                p["@outcome"].Value = (int)entry.Outcome;
                p["@camera"].Value = (object?)entry.CameraId ?? DBNull.Value;
                p["@purpose"].Value = (object?)entry.Purpose ?? DBNull.Value;
                p["@remote"].Value = (object?)entry.RemoteAddress ?? DBNull.Value;
                p["@details"].Value = (object?)entry.Details ?? DBNull.Value;
                p["@stype"].Value = (object?)entry.SubjectType ?? DBNull.Value;
                p["@sid"].Value = (object?)entry.SubjectId ?? DBNull.Value;
                p["@prev"].Value = entry.PreviousHash;
                p["@hash"].Value = entry.Hash;
                await insert.ExecuteNonQueryAsync(ct);
                previous = entry.Hash;
                sequences[i] = entry.Sequence;
            }

            await tx.CommitAsync(ct);
        }
        finally
        {
            _gate.Release();
        }

        if (sequences.Length > 0)
        {
            AuditMetrics.Appended(events.Count);
            Appended?.Invoke(sequences[^1]);
        }

        return sequences;
    }

    private static async Task<(long Sequence, string Hash)> HeadAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await using var head = connection.CreateCommand();
        head.Transaction = tx;
        head.CommandText = """SELECT "Sequence", "Hash" FROM "AuditEntries" ORDER BY "Sequence" DESC LIMIT 1""";
        await using var reader = await head.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetString(1)) : (0, GenesisHash);
    }

    /// <summary>
    /// The chain's one writer slot across every node: held until the transaction ends, so the head this append reads is
    /// the one the previous append committed. The key is fixed and chosen for the audit chain alone.
    /// </summary>
    private static async Task LockChainAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"SELECT pg_advisory_xact_lock({ChainLockKey})";
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Advisory lock key of the audit chain ("CHAudit" in ASCII); other cluster locks must use other keys.</summary>
    public const long ChainLockKey = 0x43484175646974;

    public void Dispose() => _gate.Dispose();

    /// <summary>SHA-256 (hex) over the previous hash and the entry's canonical encoding.</summary>
    public static string ComputeHash(AuditEntry e)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.ASCII.GetBytes(e.PreviousHash));
        AppendNumber(hash, e.Sequence);
        AppendNumber(hash, e.AtTicks);
        AppendField(hash, e.Actor);
        AppendNumber(hash, (int)e.Action);
        AppendNumber(hash, (int)e.Outcome);
        AppendField(hash, e.CameraId);
        AppendField(hash, e.Purpose);
        AppendField(hash, e.RemoteAddress);
        AppendField(hash, e.Details);
        AppendField(hash, e.SubjectType);
        AppendField(hash, e.SubjectId);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    private static void AppendNumber(IncrementalHash hash, long value)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        AppendField(hash, digits[..written]);
    }

    private static void AppendField(IncrementalHash hash, string? field)
    {
        if (field is null)
        {
            Span<byte> none = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(none, -1);
            hash.AppendData(none);
            return;
        }

        AppendField(hash, field.AsSpan());
    }

    /// <summary>Big-endian 32-bit byte length, then the UTF-8 bytes.</summary>
    private static void AppendField(IncrementalHash hash, ReadOnlySpan<char> field)
    {
        var length = Encoding.UTF8.GetByteCount(field);
        byte[]? rented = null;
        Span<byte> buffer = length + 4 <= 512 ? stackalloc byte[512] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length + 4));
        BinaryPrimitives.WriteInt32BigEndian(buffer, length);
        Encoding.UTF8.GetBytes(field, buffer[4..]);
        hash.AppendData(buffer[..(length + 4)]);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
