using CameraHub.CameraRegistry.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Audit;

/// <summary>The outcome of recomputing the chain.</summary>
public sealed record AuditVerification(bool Valid, long Entries, long? FirstBrokenSequence, string HeadHash, string? Problem);

/// <summary>Recomputes the audit chain from the first entry and reports the first sequence that does not fit.</summary>
public static class AuditChainVerifier
{
    public static async Task<AuditVerification> VerifyAsync(AccessDbContext db, CancellationToken ct)
    {
        long expected = 1, count = 0;
        var previous = HashChainedAuditLog.GenesisHash;
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            if (e.Sequence != expected)
            {
                return new(false, count, expected, previous, $"entry {expected} is missing (next entry is {e.Sequence})");
            }

            if (!string.Equals(e.PreviousHash, previous, StringComparison.Ordinal))
            {
                return new(false, count, e.Sequence, previous, $"entry {e.Sequence} does not link to entry {e.Sequence - 1}");
            }

            if (!string.Equals(HashChainedAuditLog.ComputeHash(e), e.Hash, StringComparison.Ordinal))
            {
                return new(false, count, e.Sequence, previous, $"entry {e.Sequence} was altered: its content no longer matches its hash");
            }

            previous = e.Hash;
            expected++;
        }

        return new(true, count, null, previous, null);
    }

    /// <summary>Verifies a database file offline (the CLI verb), without a running hub.</summary>
    public static async Task<AuditVerification> VerifyFileAsync(string databasePath, CancellationToken ct)
    {
        if (!File.Exists(databasePath))
        {
            throw new FileNotFoundException($"no database at {databasePath}", databasePath);
        }

        var options = new DbContextOptionsBuilder<AccessDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly }.ToString())
            .Options;
        await using var db = new AccessDbContext(options);
        return await VerifyAsync(db, ct);
    }
}
