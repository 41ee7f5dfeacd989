using System.Text;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Npgsql;

/// <summary>
/// Issue #16's figures, every engine in the same process and minute: audit appends per second on SQLite (one node) and
/// on PostgreSQL with one and three nodes, and the registry list on 10,000 cameras on both engines. PostgreSQL is a
/// private server on a free 127.0.0.1 port (tests/Shared/ClusterEngines.cs), or CAMERAHUB_TEST_POSTGRES's.
/// </summary>
internal static class ClusterBench
{
    private const int Writers = 4;
    private const int PerWriter = 1_000;

    public static async Task<int> RunAsync()
    {
        var postgres = await ClusterEngines.PostgresAsync();
        Console.WriteLine($"audit append, {Writers} concurrent writers per node, {PerWriter} single appends each (one transaction per entry, as the hub appends), median of 3 runs:");
        var sqlite = await MedianAsync(() => AuditAsync(nodes: 1, postgres: null));
        var one = await MedianAsync(() => AuditAsync(nodes: 1, postgres));
        var three = await MedianAsync(() => AuditAsync(nodes: 3, postgres));
        Console.WriteLine($"  SQLite, 1 node (baseline): {sqlite:F0} appends/s");
        Console.WriteLine($"  PostgreSQL, 1 node: {one:F0} appends/s ({one / sqlite:F2}x SQLite)");
        Console.WriteLine($"  PostgreSQL, 3 nodes: {three:F0} appends/s aggregate ({three / sqlite:F2}x SQLite, {three / one:F2}x one node)");

        Console.WriteLine("registry list on 10,000 cameras through GET /api/cameras, 50 runs per query after 5 warm-ups:");
        var onSqlite = await ListAsync([]);
        var database = await postgres.CreateDatabaseAsync();
        var onPostgres = await ListAsync([$"--{HubDatabase.ProviderKey}=PostgreSql", $"--ConnectionStrings:CameraHub={database}"]);
        foreach (var (name, (sqliteMedian, sqliteP95)) in onSqlite)
        {
            var (pgMedian, pgP95) = onPostgres[name];
            Console.WriteLine($"  {name}: SQLite median {sqliteMedian:F1} ms p95 {sqliteP95:F1} ms; PostgreSQL median {pgMedian:F1} ms p95 {pgP95:F1} ms; p95 ratio {pgP95 / sqliteP95:F2}x");
        }

        await postgres.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(database).Database!);
        return 0;
    }

    private static async Task<double> MedianAsync(Func<Task<double>> run)
    {
        var runs = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await run());
        }

        return Stats.Median(runs);
    }

    /// <summary>
    /// Appends/s of <paramref name="nodes"/> nodes of <see cref="Writers"/> writers on a fresh database. A node is a
    /// HashChainedAuditLog of its own (its own in-process gate and connection pool), as each hub process has one; on
    /// PostgreSQL they serialise on the chain's advisory lock, as the hubs do.
    /// </summary>
    private static async Task<double> AuditAsync(int nodes, PostgresServer? postgres)
    {
        var dir = Directory.CreateTempSubdirectory("camerahub-clusterbench-").FullName;
        var connection = postgres is null ? $"Data Source={Path.Combine(dir, "audit.db")}" : await postgres.CreateDatabaseAsync();
        var database = postgres is null ? HubDatabase.Sqlite(connection) : HubDatabase.PostgreSql(connection);
        DbContextOptions<AccessDbContext> Options(string? application = null)
        {
            // Each node its own pool (Application Name differs), as each hub process has its own.
            var db = postgres is null || application is null ? database : HubDatabase.PostgreSql(new NpgsqlConnectionStringBuilder(connection) { ApplicationName = application }.ConnectionString);
            return (DbContextOptions<AccessDbContext>)db.Configure(new DbContextOptionsBuilder<AccessDbContext>(), AccessDbContext.MigrationsTable).Options;
        }

        // The engine's own migrations (PostgreSQL's subclass carries them), as the hub applies them.
        await using (DbContext ctx = postgres is null
            ? new AccessDbContext(Options())
            : new PostgresAccessDbContext((DbContextOptions<PostgresAccessDbContext>)database.Configure(new DbContextOptionsBuilder<PostgresAccessDbContext>(), AccessDbContext.MigrationsTable).Options))
        {
            await ctx.Database.MigrateAsync();
        }

        var logs = Enumerable.Range(0, nodes).Select(n => new HashChainedAuditLog(new BenchContextFactory(Options($"bench-node-{n}")), TimeProvider.System)).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(logs.SelectMany(log => Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                await log.AppendAsync(new AuditEvent(AuditAction.AccessDenied, AuditOutcome.Denied, $"user{w}", "CAM-001", Details: $"bench {i}"), default);
            }
        }))));
        var seconds = clock.Elapsed.TotalSeconds;
        // One valid chain of every entry: signed at its head as the hub's checkpointer would, then verified.
        using var checkpointKey = new AuditCheckpointKey(Path.Combine(dir, "keys"), new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        await using (var ctx = new AccessDbContext(Options()))
        {
            var head = await ctx.AuditEntries.AsNoTracking().OrderByDescending(e => e.Sequence).FirstAsync();
            ctx.AuditCheckpoints.Add(checkpointKey.Sign(head.Sequence, head.Hash, head.AtTicks));
            await ctx.SaveChangesAsync();
        }

        await using (var ctx = new AccessDbContext(Options()))
        {
            var result = await AuditChainVerifier.VerifyAsync(ctx, new AuditTrust(checkpointKey.PublicKeyPem, [], new AuditCheckpointOptions(), null), default);
            if (!result.Valid || result.Entries != nodes * Writers * PerWriter)
            {
                throw new InvalidOperationException($"the chain is not one valid chain of {nodes * Writers * PerWriter}: {result.Entries} entries, {result.Problem}");
            }
        }

        foreach (var log in logs)
        {
            log.Dispose();
        }

        if (postgres is null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        else
        {
            NpgsqlConnection.ClearAllPools();
            await postgres.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(connection).Database!);
        }

        Directory.Delete(dir, recursive: true);
        return nodes * Writers * PerWriter / seconds;
    }

    /// <summary>Median and p95 (ms) of each list query on a hub with 10,000 imported cameras on the engine <paramref name="engine"/> names.</summary>
    private static async Task<Dictionary<string, (double Median, double P95)>> ListAsync(string[] engine)
    {
        await using var hub = await BenchHub.StartAsync(engine);
        using (var response = await hub.Client.PostAsync("/api/cameras/import", new StringContent(SampleCity.Csv(10_000), Encoding.UTF8, "text/csv")))
        {
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync();
                throw new InvalidOperationException(text[..Math.Min(500, text.Length)]);
            }
        }

        var results = new Dictionary<string, (double, double)>();
        foreach (var (name, path) in new[]
        {
            ("first page of 100, no filter", "/api/cameras?pageSize=100"),
            ("category + mode filter", "/api/cameras?category=School&mode=RecordedOnly&pageSize=100"),
            ("owner filter, page 20 of 50", "/api/cameras?owner=framtiden&page=20&pageSize=50"),
            ("text search in names", "/api/cameras?q=Hisingsbron&pageSize=100"),
        })
        {
            for (var warm = 0; warm < 5; warm++)
            {
                await hub.Client.GetStringAsync(path);
            }

            var times = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                times.Add(await Stats.TimeAsync(() => hub.Client.GetStringAsync(path)));
            }

            results[name] = (Stats.Median([.. times]), Stats.P95(times));
        }

        return results;
    }
}
