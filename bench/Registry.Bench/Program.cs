// Registry and audit benchmarks (issues #2 and #3). Run from the repository root:
//   dotnet run -c Release --project bench/Registry.Bench -- registry
//   dotnet run -c Release --project bench/Registry.Bench -- audit [entries]
//   dotnet run -c Release --project bench/Registry.Bench -- pickers
//   dotnet run -c Release --project bench/Registry.Bench -- cluster      (PostgreSQL against SQLite, issue #16)
//   dotnet run -c Release --project bench/Registry.Bench -- events [cameras] [events/s per camera] [seconds]  (EventsBench.cs)
// Each figure is the median of several runs; every figure has a baseline measured in the same process.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Composition;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

var mode = args.FirstOrDefault() ?? "registry";
return mode switch
{
    "registry" => await RegistryBench.RunAsync(),
    "audit" => await AuditBench.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000),
    "pickers" => await PickerBench.RunAsync(),
    "cluster" => await ClusterBench.RunAsync(),
    "events" => await EventsBench.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100,
        args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 6,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 30),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Registry.Bench registry | audit [entries] | pickers | cluster");
    return 2;
}

/// <summary>Starts the real hub on 127.0.0.1 with a fresh SQLite file, an admin account and the sample organisations.</summary>
internal sealed class BenchHub : IAsyncDisposable
{
    public const string Password = "Bench-Password-2026";

    public required Microsoft.AspNetCore.Builder.WebApplication App { get; init; }
    public required HttpClient Client { get; init; }

    /// <param name="extra">More command-line settings (the engine: --CameraHub:Database:Provider=PostgreSql …).</param>
    public static async Task<BenchHub> StartAsync(params string[] extra)
    {
        var dir = Directory.CreateTempSubdirectory("camerahub-bench-").FullName;
        var app = HubApplication.Build(["--urls", "http://127.0.0.1:0", $"--CameraHub:DataDirectory={dir}", "--Logging:LogLevel:Default=Warning", .. extra]);
        await app.StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync("admin", Password, HubRoles.Administrator, null, null, "bench", default);
            await scope.ServiceProvider.GetRequiredService<CameraHub.CameraRegistry.Demo.SampleCityLoader>().LoadOrganisationsAndSitesAsync(SampleCity.Directory, default);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(10) };
        var token = await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = Password });
        var json = await token.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.GetProperty("accessToken").GetString());
        return new BenchHub { App = app, Client = client, Dir = dir };
    }

    public required string Dir { get; init; }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
    }
}

internal static class SampleCity
{
    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "goteborg");
                if (File.Exists(Path.Combine(candidate, "cameras.csv")))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("samples/goteborg");
        }
    }

    /// <summary>10,000 valid rows: the sample city's cameras repeated under new ids.</summary>
    public static string Csv(int rows)
    {
        var lines = File.ReadAllLines(Path.Combine(Directory, "cameras.csv"));
        var sb = new StringBuilder(lines[0]).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var source = lines[1 + (i % (lines.Length - 1))];
            var comma = source.IndexOf(',', StringComparison.Ordinal);
            sb.Append(CultureInfo.InvariantCulture, $"B{i:D5}-{source[..comma]}").Append(source[comma..]).Append('\n');
        }

        return sb.ToString();
    }
}

internal static class Stats
{
    public static double Median(List<double> xs)
    {
        xs.Sort();
        return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[(xs.Count / 2) - 1] + xs[xs.Count / 2]) / 2;
    }

    public static double P95(List<double> xs)
    {
        xs.Sort();
        return xs[(int)Math.Ceiling(xs.Count * 0.95) - 1];
    }

    public static async Task<double> TimeAsync(Func<Task> action)
    {
        var sw = Stopwatch.StartNew();
        await action();
        return sw.Elapsed.TotalMilliseconds;
    }
}

internal static class RegistryBench
{
    public static async Task<int> RunAsync()
    {
        const int Rows = 10_000;
        var csv = SampleCity.Csv(Rows);
        var imports = new List<double>();
        var baselines = new List<double>();
        BenchHub? kept = null;
        for (var run = 0; run < 3; run++)
        {
            var hub = await BenchHub.StartAsync();
            var ms = await Stats.TimeAsync(async () =>
            {
                var response = await hub.Client.PostAsync("/api/cameras/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
                if (!response.IsSuccessStatusCode)
                {
                    var text = await response.Content.ReadAsStringAsync();
                    throw new InvalidOperationException(text[..Math.Min(500, text.Length)]);
                }
            });
            imports.Add(ms);
            baselines.Add(await RawInsertBaselineAsync(hub.Dir, csv));
            if (kept is null)
            {
                kept = hub;
            }
            else
            {
                await hub.DisposeAsync();
            }
        }

        Console.WriteLine($"import {Rows} rows via POST /api/cameras/import: median {Stats.Median(imports):F0} ms ({Rows / (Stats.Median(imports) / 1000):F0} rows/s)");
        Console.WriteLine($"  baseline: raw SQLite insert of the same rows (id, name, owner) in one transaction: median {Stats.Median(baselines):F0} ms; ratio {Stats.Median(imports) / Stats.Median(baselines):F1}x");

        var queries = new (string Name, string Path, string Sql)[]
        {
            ("first page, no filter", "/api/cameras?pageSize=100", "SELECT * FROM Cameras ORDER BY Id LIMIT 100"),
            ("category+mode filter", "/api/cameras?category=School&mode=RecordedOnly&pageSize=100", "SELECT * FROM Cameras WHERE Category='School' AND Mode='RecordedOnly' ORDER BY Id LIMIT 100"),
            ("owner filter, page 20", "/api/cameras?owner=framtiden&page=20&pageSize=50", "SELECT * FROM Cameras WHERE OwnerId='framtiden' ORDER BY Id LIMIT 50 OFFSET 950"),
            ("text search", "/api/cameras?q=Hisingsbron&pageSize=100", "SELECT * FROM Cameras WHERE Name LIKE '%Hisingsbron%' ORDER BY Id LIMIT 100"),
            ("permit expiring in 90 days", "/api/cameras?permitExpiringWithinDays=90", "SELECT * FROM Cameras WHERE LegalBasisKind='Permit' AND LegalBasis_PermitValidUntil <= '2027-02-21' ORDER BY Id LIMIT 100"),
        };
        var hubDb = Path.Combine(kept!.Dir, "camerahub.db");
        foreach (var (name, path, sql) in queries)
        {
            for (var warm = 0; warm < 5; warm++)
            {
                await kept.Client.GetStringAsync(path);
            }

            var api = new List<double>();
            var raw = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                api.Add(await Stats.TimeAsync(() => kept.Client.GetStringAsync(path)));
                raw.Add(await Stats.TimeAsync(() => RawQueryAsync(hubDb, sql)));
            }

            Console.WriteLine($"list {name} ({Rows} cameras): API median {Stats.Median(api):F2} ms p95 {Stats.P95(api):F2} ms; raw SQLite (total count + page) median {Stats.Median(raw):F2} ms; ratio {Stats.Median(api) / Stats.Median(raw):F1}x");
        }

        await kept.DisposeAsync();
        return 0;
    }

    private static async Task RawQueryAsync(string db, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={db}");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM ({sql.Split(" ORDER BY ")[0]})";
        await count.ExecuteScalarAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var f = 0; f < reader.FieldCount; f++)
            {
                _ = reader.GetValue(f);
            }
        }
    }

    private static async Task<double> RawInsertBaselineAsync(string dir, string csv)
    {
        var path = Path.Combine(dir, "baseline.db");
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE c (id TEXT PRIMARY KEY, name TEXT, owner TEXT)";
            await create.ExecuteNonQueryAsync();
        }

        return await Stats.TimeAsync(async () =>
        {
            await using var tx = await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO c VALUES ($i, $n, $o)";
            var (i, n, o) = (insert.Parameters.Add("$i", SqliteType.Text), insert.Parameters.Add("$n", SqliteType.Text), insert.Parameters.Add("$o", SqliteType.Text));
            foreach (var line in csv.Split('\n').Skip(1).Where(l => l.Length > 0))
            {
                var f = line.Split(',', 4);
                (i.Value, n.Value, o.Value) = (f[0], f[1], f[2]);
                await insert.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        });
    }
}

/// <summary>
/// A console picker's list ("which cameras may I export from") for a police liaison holding Export on every school:
/// one filtered query decided on the server, against the list-then-ask-per-100 the console used before.
/// </summary>
internal static class PickerBench
{
    public static async Task<int> RunAsync()
    {
        await using var hub = await BenchHub.StartAsync();
        var city = await File.ReadAllTextAsync(Path.Combine(SampleCity.Directory, "cameras.csv"));
        (await hub.Client.PostAsync("/api/cameras/import", new StringContent(city, Encoding.UTF8, "text/csv"))).EnsureSuccessStatusCode();
        await using (var scope = hub.App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync("police", BenchHub.Password, HubRoles.PoliceLiaison, null, null, "bench", default);
        }

        (await hub.Client.PostAsJsonAsync("/api/grants", new { subjectKind = "Role", subject = HubRoles.PoliceLiaison, scopeKind = "Category", scope = "School", rights = "Export", reason = "bench" })).EnsureSuccessStatusCode();
        using var police = new HttpClient { BaseAddress = hub.Client.BaseAddress };
        var token = await (await police.PostAsJsonAsync("/api/auth/token", new { username = "police", password = BenchHub.Password })).Content.ReadFromJsonAsync<JsonElement>();
        police.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());

        async Task<List<string>> PagesAsync(string query)
        {
            var ids = new List<string>();
            for (var page = 1; ; page++)
            {
                var result = await police.GetFromJsonAsync<JsonElement>($"/api/cameras?pageSize=1000&page={page}&{query}");
                var items = result.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
                ids.AddRange(items);
                if (ids.Count >= result.GetProperty("total").GetInt32() || items.Count == 0)
                {
                    return ids;
                }
            }
        }

        async Task<List<string>> AskPerHundredAsync()
        {
            var candidates = await PagesAsync("status=Active");
            var allowed = new List<string>();
            foreach (var chunk in candidates.Chunk(100))
            {
                var answers = await police.GetFromJsonAsync<JsonElement>($"/api/access/rights?{string.Join('&', chunk.Select(id => $"camera={Uri.EscapeDataString(id)}"))}&right=Export");
                allowed.AddRange(answers.EnumerateArray().Where(a => a.GetProperty("allowed").GetArrayLength() > 0).Select(a => a.GetProperty("cameraId").GetString()!));
            }

            return allowed;
        }

        var filtered = await PagesAsync("status=Active&right=Export");
        var asked = await AskPerHundredAsync();
        if (!filtered.SequenceEqual(asked))
        {
            throw new InvalidOperationException($"the two ways disagree: {filtered.Count} against {asked.Count} cameras");
        }

        var one = new List<double>();
        var perHundred = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            one.Add(await Stats.TimeAsync(() => PagesAsync("status=Active&right=Export")));
            perHundred.Add(await Stats.TimeAsync(AskPerHundredAsync));
        }

        Console.WriteLine($"export picker for police ({filtered.Count} of the sample city's cameras allowed): GET /api/cameras?right=Export median {Stats.Median(one):F0} ms (p95 {Stats.P95(one):F0});"
            + $" list + /api/access/rights per 100 median {Stats.Median(perHundred):F0} ms (p95 {Stats.P95(perHundred):F0}); ratio {Stats.Median(perHundred) / Stats.Median(one):F1}x");
        return 0;
    }
}

/// <summary>Creates access contexts on the benchmark's own file.</summary>
internal sealed class BenchContextFactory(DbContextOptions<AccessDbContext> options) : IDbContextFactory<AccessDbContext>
{
    public AccessDbContext CreateDbContext() => new(options);
}

/// <summary>A clock that moves forward a fixed step per reading, spreading entries over weeks.</summary>
internal sealed class SteppingClock(DateTimeOffset start, TimeSpan step) : TimeProvider
{
    private long _readings;

    public override DateTimeOffset GetUtcNow() => start + (step * Interlocked.Increment(ref _readings));
}

internal static class AuditBench
{
    public static async Task<int> RunAsync(int entries)
    {
        var dir = Directory.CreateTempSubdirectory("camerahub-auditbench-").FullName;
        var db = Path.Combine(dir, "audit.db");
        var options = new DbContextOptionsBuilder<AccessDbContext>().UseSqlite($"Data Source={db}").AddInterceptors(SqliteTuning.Instance).Options;
        await using (var ctx = new AccessDbContext(options))
        {
            await ctx.Database.MigrateAsync();
        }

        var factory = new BenchContextFactory(options);
        var span = TimeSpan.FromDays(90);
        var start = new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero);
        using var log = new HashChainedAuditLog(factory, new SteppingClock(start, span / entries));
        AuditEvent Event(int i) => new(AuditAction.LiveViewStarted, AuditOutcome.Allowed, $"user{i % 50}", $"CAM-{i % 100:D3}", "Trafikledning", "127.0.0.1", $"session {i}");

        // Single appends (one transaction each): the per-event cost the hub pays.
        const int Singles = 5_000;
        var single = await Stats.TimeAsync(async () =>
        {
            for (var i = 0; i < Singles; i++)
            {
                await log.AppendAsync(Event(i), default);
            }
        });
        Console.WriteLine($"audit append, one transaction per entry: {Singles} entries in {single:F0} ms = {Singles / (single / 1000):F0} entries/s");

        // Bulk: the rest in batches of 1,000 (how sweeps and imports append).
        var bulk = await Stats.TimeAsync(async () =>
        {
            for (var i = Singles; i < entries; i += 1000)
            {
                var batch = Enumerable.Range(i, Math.Min(1000, entries - i)).Select(Event).ToList();
                await log.AppendManyAsync(batch, default);
            }
        });
        Console.WriteLine($"audit append, batches of 1,000: {entries - Singles} entries in {bulk / 1000:F1} s = {(entries - Singles) / (bulk / 1000):F0} entries/s");

        var baseline = await PlainInsertAsync(Path.Combine(dir, "plain.db"), entries - Singles);
        Console.WriteLine($"  baseline: plain INSERT of the same rows without hashing, batches of 1,000: {baseline / 1000:F1} s; hash chain costs {bulk / baseline:F2}x");

        // One camera's month.
        var month = new List<double>();
        int found = 0;
        for (var run = 0; run < 20; run++)
        {
            await using var ctx = new AccessDbContext(options);
            var from = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
            var to = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
            month.Add(await Stats.TimeAsync(async () =>
            {
                var q = ctx.AuditEntries.AsNoTracking().Where(e => e.CameraId == "CAM-042" && e.AtTicks >= from && e.AtTicks < to);
                found = await q.CountAsync();
                _ = await q.OrderByDescending(e => e.Sequence).Take(100).ToListAsync();
            }));
        }

        Console.WriteLine($"query one camera's month (count {found} + newest 100) over {entries} entries: median {Stats.Median(month):F1} ms p95 {Stats.P95(month):F1} ms");

        // Checkpoints as the hub signs them, one per 1,000 entries (the default), with its own key class.
        using var checkpointKey = new AuditCheckpointKey(Path.Combine(dir, "keys"), new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        await using (var ctx = new AccessDbContext(options))
        {
            var heads = await ctx.AuditEntries.AsNoTracking().Where(e => e.Sequence % 1000 == 0).Select(e => new { e.Sequence, e.Hash, e.AtTicks }).ToListAsync();
            ctx.AuditCheckpoints.AddRange(heads.Select(h => checkpointKey.Sign(h.Sequence, h.Hash, h.AtTicks)));
            await ctx.SaveChangesAsync();
        }

        var trust = new AuditTrust(checkpointKey.PublicKeyPem, [], new AuditCheckpointOptions(), null);
        await using (var ctx = new AccessDbContext(options))
        {
            var stored = await ctx.AuditCheckpoints.AsNoTracking().ToListAsync();
            using var publicKey = trust.PublicKey();
            var signatures = await Stats.TimeAsync(() => Task.FromResult(stored.Count(c => c.IsSignedBy(publicKey))));
            Console.WriteLine($"  of which checking the {stored.Count} checkpoint signatures: {signatures:F0} ms");
        }

        var verifies = new List<double>();
        var scans = new List<double>();
        AuditVerification? result = null;
        for (var run = 0; run < 3; run++)
        {
            await using var ctx = new AccessDbContext(options);
            verifies.Add(await Stats.TimeAsync(async () => result = await AuditChainVerifier.VerifyAsync(ctx, trust, default)));
            await using var ctx2 = new AccessDbContext(options);
            scans.Add(await Stats.TimeAsync(async () => _ = await ctx2.AuditEntries.AsNoTracking().OrderBy(a => a.Sequence).Select(a => a.Hash.Length).SumAsync()));
        }

        Console.WriteLine($"verify whole chain ({result!.Entries} entries, {result.Checkpoints} signed checkpoints, valid={result.Valid} {result.Problem}): median {Stats.Median(verifies) / 1000:F1} s ({result.Entries / (Stats.Median(verifies) / 1000):F0} entries/s)");
        Console.WriteLine($"  baseline: reading every row in order without hashing: median {Stats.Median(scans) / 1000:F1} s; ratio {Stats.Median(verifies) / Stats.Median(scans):F1}x");
        Console.WriteLine($"database size: {new FileInfo(db).Length / (1024 * 1024.0):F0} MiB");
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static async Task<double> PlainInsertAsync(string path, int rows)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE a (Sequence INTEGER PRIMARY KEY, AtTicks INTEGER, Actor TEXT, Action INTEGER, Outcome INTEGER, CameraId TEXT, Purpose TEXT, RemoteAddress TEXT, Details TEXT)";
            await create.ExecuteNonQueryAsync();
        }

        return await Stats.TimeAsync(async () =>
        {
            for (var i = 0; i < rows; i += 1000)
            {
                await using var tx = await connection.BeginTransactionAsync();
                await using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO a VALUES ($s, $t, $u, 400, 1, $c, 'Trafikledning', '127.0.0.1', $d)";
                var ps = new[] { "$s", "$t", "$u", "$c", "$d" }.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
                for (var j = i; j < Math.Min(rows, i + 1000); j++)
                {
                    ps[0].Value = j + 1;
                    ps[1].Value = j;
                    ps[2].Value = $"user{j % 50}";
                    ps[3].Value = $"CAM-{j % 100:D3}";
                    ps[4].Value = $"session {j}";
                    await insert.ExecuteNonQueryAsync();
                }

                await tx.CommitAsync();
            }
        });
    }
}
