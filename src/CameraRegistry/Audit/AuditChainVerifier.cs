using System.Globalization;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Audit;

/// <summary>The outcome of recomputing the chain and holding it against every signed checkpoint.</summary>
public sealed record AuditVerification(
    bool Valid, long Entries, long? FirstBrokenSequence, string HeadHash, string? Problem,
    int Checkpoints = 0, long? NewestCheckpointSequence = null, DateTime? NewestCheckpointAt = null, IReadOnlyList<string>? Problems = null);

/// <summary>
/// Recomputes the audit chain from the first entry and reports the first sequence that does not fit; then holds it
/// against the signed checkpoints (the database's and any kept elsewhere): a checkpoint whose head the chain no longer
/// has exposes a rewrite, one beyond the chain's end exposes a cut, and a newest checkpoint that is too old or leaves
/// too many entries uncovered exposes checkpoints removed with the entries they covered.
/// </summary>
public static class AuditChainVerifier
{
    public static async Task<AuditVerification> VerifyAsync(AccessDbContext db, AuditTrust trust, CancellationToken ct)
    {
        using var key = trust.PublicKey();
        var problems = new List<string>();
        long? firstBroken = null;
        void Problem(long? sequence, string text)
        {
            firstBroken ??= sequence;
            problems.Add(text);
        }

        var stored = await db.AuditCheckpoints.AsNoTracking().ToListAsync(ct);
        var checkpoints = new List<AuditCheckpoint>();
        foreach (var (c, source) in stored.Select(c => (c, "stored")).Concat(trust.External.Select(c => (c, "kept outside the database"))))
        {
            if (c.IsSignedBy(key))
            {
                checkpoints.Add(c);
            }
            else
            {
                Problem(null, $"checkpoint {N(c.Sequence)} signed at {T(c.AtTicks)} ({source}) does not carry a valid signature of the audit key: it was forged or altered");
            }
        }

        checkpoints.Sort((a, b) => a.Sequence != b.Sequence ? a.Sequence.CompareTo(b.Sequence) : a.AtTicks.CompareTo(b.AtTicks));
        var next = 0;
        long covered = 0; // the highest sequence a matching checkpoint vouches for
        void Match(long sequence, string hash)
        {
            for (; next < checkpoints.Count && checkpoints[next].Sequence <= sequence; next++)
            {
                var c = checkpoints[next];
                if (c.Sequence == sequence && !string.Equals(c.HeadHash, hash, StringComparison.Ordinal))
                {
                    Problem(covered + 1, $"entries {N(covered + 1)}–{N(sequence)} were rewritten: checkpoint {N(c.Sequence)} signed at {T(c.AtTicks)} records head hash {c.HeadHash}, the chain now has {hash}");
                }
                else if (c.Sequence == sequence)
                {
                    covered = sequence;
                }
            }
        }

        Match(0, HashChainedAuditLog.GenesisHash);
        var (count, head, lastTicks, chainProblem) = await WalkAsync(db, Match, ct);
        if (chainProblem is { } broken)
        {
            Problem(broken.Sequence, broken.Text);
        }
        else if (next < checkpoints.Count)
        {
            var beyond = checkpoints[^1];
            Problem(count + 1, $"entries after {N(count)} are missing: checkpoint {N(beyond.Sequence)} signed at {T(beyond.AtTicks)} covers the chain up to entry {N(beyond.Sequence)}");
        }

        var newest = checkpoints.Count == 0 ? null : checkpoints.MaxBy(c => (c.AtTicks, c.Sequence));
        var highest = checkpoints.Count == 0 ? 0 : checkpoints[^1].Sequence;
        if (chainProblem is null && count > highest)
        {
            var uncovered = count - highest;
            if (newest is null)
            {
                Problem(1, $"no signed checkpoint covers the log's {N(count)} entries");
            }
            else if (uncovered > 2L * trust.Options.CheckpointEveryEntries
                || new DateTime(lastTicks, DateTimeKind.Utc) - newest.AtUtc > trust.Options.Interval * 2 + TimeSpan.FromMinutes(1))
            {
                Problem(highest + 1, $"entries {N(highest + 1)}–{N(count)} are covered by no checkpoint: checkpoints after {N(highest)} (signed at {T(newest.AtTicks)}) may have been removed with entries");
            }
        }

        if (trust.Now is { } now && newest is not null && now - newest.AtUtc > trust.Options.Interval * 2 + TimeSpan.FromMinutes(1))
        {
            Problem(null, $"the newest checkpoint ({N(newest.Sequence)}) was signed at {T(newest.AtTicks)}, more than {trust.Options.CheckpointEveryMinutes * 2:0.#} minutes ago although the hub signs every {trust.Options.CheckpointEveryMinutes:0.#}: newer checkpoints, and the entries they covered, may have been removed");
        }

        return new(problems.Count == 0, count, firstBroken, head, problems.FirstOrDefault(), checkpoints.Count, newest?.Sequence, newest?.AtUtc, problems);
    }

    /// <summary>Walks the entries in order with a plain reader (no tracking, no entity per row) and checks every link.</summary>
    private static async Task<(long Count, string Head, long LastTicks, (long Sequence, string Text)? Problem)> WalkAsync(
        AccessDbContext db, Action<long, string> onEntry, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = """
            SELECT "Sequence", "AtTicks", "Actor", "Action", "Outcome", "CameraId", "Purpose", "RemoteAddress", "Details", "SubjectType", "SubjectId", "PreviousHash", "Hash"
            FROM "AuditEntries" ORDER BY "Sequence"
            """;
        await using var r = await command.ExecuteReaderAsync(ct);
        long expected = 1, count = 0, lastTicks = 0;
        var previous = HashChainedAuditLog.GenesisHash;
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        while (await r.ReadAsync(ct))
        {
            count++;
            var e = new AuditEntry
            {
                Sequence = r.GetInt64(0), AtTicks = r.GetInt64(1), Actor = r.GetString(2), Action = (AuditAction)r.GetInt32(3),
                Outcome = (AuditOutcome)r.GetInt32(4), CameraId = S(5), Purpose = S(6), RemoteAddress = S(7), Details = S(8),
                SubjectType = S(9), SubjectId = S(10), PreviousHash = r.GetString(11), Hash = r.GetString(12),
            };
            if (e.Sequence != expected)
            {
                return (count, previous, lastTicks, (expected, $"entry {expected} is missing (next entry is {e.Sequence})"));
            }

            if (!string.Equals(e.PreviousHash, previous, StringComparison.Ordinal))
            {
                return (count, previous, lastTicks, (e.Sequence, $"entry {e.Sequence} does not link to entry {e.Sequence - 1}"));
            }

            if (!string.Equals(HashChainedAuditLog.ComputeHash(e), e.Hash, StringComparison.Ordinal))
            {
                return (count, previous, lastTicks, (e.Sequence, $"entry {e.Sequence} was altered: its content no longer matches its hash"));
            }

            onEntry(e.Sequence, e.Hash);
            previous = e.Hash;
            lastTicks = e.AtTicks;
            expected++;
        }

        return (count, previous, lastTicks, null);
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string T(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Verifies a database file offline (the CLI verb), without a running hub.</summary>
    public static async Task<AuditVerification> VerifyFileAsync(string databasePath, AuditTrust trust, CancellationToken ct)
    {
        if (!File.Exists(databasePath))
        {
            throw new FileNotFoundException($"no database at {databasePath}", databasePath);
        }

        var options = new DbContextOptionsBuilder<AccessDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly }.ToString())
            .Options;
        await using var db = new AccessDbContext(options);
        return await VerifyAsync(db, trust, ct);
    }
}
