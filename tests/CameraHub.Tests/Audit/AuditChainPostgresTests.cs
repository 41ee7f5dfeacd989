using System.Security.Cryptography;
using System.Text;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CameraHub.Tests.Audit;

/// <summary>
/// The audit chain on a real PostgreSQL server: many writers on separate connections (as several hub nodes append at
/// once) still leave one chain, and the database itself refuses to change or remove what was appended.
/// </summary>
[Trait("Database", "PostgreSql")]
public sealed class AuditChainPostgresTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.CreatePostgres();

    public AuditChainPostgresTests()
    {
        using var db = NewContext(_database.Database.ConnectionString);
        db.Database.Migrate();
    }

    public void Dispose() => _database.Dispose();

    private static PostgresAccessDbContext NewContext(string connectionString) =>
        new((DbContextOptions<PostgresAccessDbContext>)HubDatabase.PostgreSql(connectionString)
            .Configure(new DbContextOptionsBuilder<PostgresAccessDbContext>(), AccessDbContext.MigrationsTable).Options);

    /// <summary>One "node": its own connection pool (Application Name differs), its own log and in-process gate.</summary>
    private HashChainedAuditLog Node(int node)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_database.Database.ConnectionString) { ApplicationName = $"node-{node}" }.ConnectionString;
        return new HashChainedAuditLog(new Contexts(connectionString), TimeProvider.System);
    }

    [Fact]
    public async Task Three_nodes_of_four_writers_leave_one_valid_chain_without_gap_or_fork()
    {
        const int Nodes = 3, Writers = 4, Appends = 150, Batch = 5;
        var logs = Enumerable.Range(1, Nodes).Select(Node).ToArray();
        var writers = logs.SelectMany((log, n) => Enumerable.Range(1, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < Appends; i++)
            {
                var e = new AuditEvent(AuditAction.LiveViewStarted, AuditOutcome.Allowed, $"node{n}-writer{w}", CameraId: "GBG-1", Details: $"append {i}");
                if (i % 10 == 9)
                {
                    // The batch path (retention sweeps): several entries in one transaction, one lock.
                    await log.AppendManyAsync(Enumerable.Repeat(e, Batch).ToArray(), default);
                }
                else
                {
                    await log.AppendAsync(e, default);
                }
            }
        }))).ToArray();
        await Task.WhenAll(writers);
        foreach (var log in logs)
        {
            log.Dispose();
        }

        var expected = Nodes * Writers * (Appends + (Appends / 10 * (Batch - 1)));
        await using var db = NewContext(_database.Database.ConnectionString);
        var head = await db.AuditEntries.OrderByDescending(e => e.Sequence).FirstAsync();
        Assert.Equal(expected, head.Sequence);
        Assert.Equal(expected, await db.AuditEntries.CountAsync());
        Assert.Equal(expected, await db.AuditEntries.Select(e => e.PreviousHash).Distinct().CountAsync());

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var at = TimeProvider.System.GetUtcNow().UtcTicks;
        var checkpoint = new AuditCheckpoint
        {
            Sequence = head.Sequence, HeadHash = head.Hash, AtTicks = at, KeyFingerprint = "test",
            Signature = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(AuditCheckpoint.Statement(head.Sequence, head.Hash, at)), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
        };
        var verification = await AuditChainVerifier.VerifyAsync(db, new AuditTrust(key.ExportSubjectPublicKeyInfoPem(), [checkpoint], new AuditCheckpointOptions(), null), default);
        Assert.True(verification.Valid, string.Join("; ", verification.Problems ?? []));
        Assert.Null(verification.FirstBrokenSequence);
    }

    [Fact]
    public async Task Database_refuses_update_delete_and_truncate_even_to_the_owner()
    {
        await Node(1).AppendAsync(new AuditEvent(AuditAction.LiveViewStarted, AuditOutcome.Allowed, "operator"), default);
        await using var connection = new NpgsqlConnection(_database.Database.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { """UPDATE "AuditEntries" SET "Actor" = 'nobody'""", """DELETE FROM "AuditEntries" """, """TRUNCATE "AuditEntries" """ })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Hub_role_from_the_script_may_read_and_append_but_not_change_audit_rows()
    {
        var script = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "scripts", "postgres-roles.sql"));
        await using (var owner = new NpgsqlConnection(_database.Database.ConnectionString))
        {
            await owner.OpenAsync();
            await using var run = new NpgsqlCommand(script, owner);
            await run.ExecuteNonQueryAsync();
        }

        var hub = new NpgsqlConnectionStringBuilder(_database.Database.ConnectionString) { Username = "camerahub_hub", Password = null }.ConnectionString;
        using (var log = new HashChainedAuditLog(new Contexts(hub), TimeProvider.System))
        {
            Assert.Equal(1, await log.AppendAsync(new AuditEvent(AuditAction.LiveViewStarted, AuditOutcome.Allowed, "operator"), default));
        }

        await using var connection = new NpgsqlConnection(hub);
        await connection.OpenAsync();
        foreach (var sql in new[] { """UPDATE "AuditEntries" SET "Actor" = 'nobody'""", """DELETE FROM "AuditEntries" """, """UPDATE "AuditCheckpoints" SET "Sequence" = 0""" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
            Assert.Contains("permission denied", error.MessageText, StringComparison.Ordinal);
        }

        // Other tables stay writable for the hub (a grant can be revoked, i.e. deleted).
        await using var other = new NpgsqlCommand("""DELETE FROM "Grants" """, connection);
        await other.ExecuteNonQueryAsync();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CameraHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("CameraHub.sln not found above the test binaries");
    }

    private sealed class Contexts(string connectionString) : IDbContextFactory<AccessDbContext>
    {
        public AccessDbContext CreateDbContext() => NewContext(connectionString);
    }
}
