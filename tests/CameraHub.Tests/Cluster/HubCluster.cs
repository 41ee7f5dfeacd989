using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.Tests.Shared;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Three real hub processes (nodes A, B, C) on one PostgreSQL database and one Redis, sharing one data directory (the
/// shared storage a cluster's recordings and exports live on), with the demo city and its users. Each fixture has its
/// own database and its own Redis channel prefix.
/// </summary>
public class HubCluster : IAsyncLifetime
{
    public const string Password = "Cluster-Test-2026-x9";

    /// <summary>Whether the nodes run on PostgreSQL (the cluster's engine) rather than one shared SQLite file.</summary>
    public const bool PostgreSql = true;
    private readonly List<HubNode> _nodes = [];

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"camerahub-cluster-{Guid.NewGuid():N}");

    /// <summary>The shared database's connection string.</summary>
    public string Database { get; private set; } = string.Empty;

    public string Redis { get; private set; } = string.Empty;

    /// <summary>The cluster's name (its Redis channel prefix), unique per fixture.</summary>
    public string Name { get; } = $"test-{Guid.NewGuid():N}"[..13];

    public IReadOnlyList<HubNode> Nodes => _nodes;

    public HubNode this[string name] => _nodes.Single(n => n.Name == name);

    /// <summary>Settings every node gets beyond its own name and URL (tests that need faster jobs pass theirs).</summary>
    public Dictionary<string, string> Settings { get; } = new()
    {
        ["CameraHub__Demo"] = "true",
        ["CameraHub__DemoCameras"] = "false",
        ["CameraHub__DemoPassword"] = Password,
        ["CameraHub__KeyEncryptionKey"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
        ["CameraHub__Recording__SweepInterval"] = "00:00:02",
        ["CameraHub__Recording__MinFreeBytes"] = "0",
        ["CameraHub__Node__HeartbeatInterval"] = "00:00:01",
        ["CameraHub__SignIn__PermitsPerWindow"] = "1000",
        ["Logging__LogLevel__Default"] = "Information",
    };

    public HubCluster()
    {
    }

    /// <summary>A cluster whose nodes get <paramref name="extra"/> settings on top of the defaults.</summary>
    protected HubCluster(IReadOnlyDictionary<string, string> extra)
    {
        foreach (var (key, value) in extra)
        {
            Settings[key] = value;
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        // PostgreSql = false runs the same nodes on one shared SQLite file: events, revocations and the node list do
        // not depend on the engine (the singleton jobs do: their leases are per process there).
        Database = PostgreSql ? await (await ClusterEngines.PostgresAsync()).CreateDatabaseAsync() : $"Data Source={Path.Combine(DataDirectory, "camerahub.db")}";
        Redis = (await ClusterEngines.RedisAsync()).Endpoint;
        // The first node migrates and loads the demo city alone; the others join a prepared database.
        var a = await StartNodeAsync("A");
        await a.ReadyAsync();
        var others = new[] { await StartNodeAsync("B"), await StartNodeAsync("C") };
        await Task.WhenAll(others.Select(n => n.ReadyAsync()));
    }

    /// <summary>Starts one node process named <paramref name="name"/> on a free port, with <paramref name="overrides"/> on top of <see cref="Settings"/>.</summary>
    public Task<HubNode> StartNodeAsync(string name, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var port = ClusterEngines.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var directory = AppContext.BaseDirectory;
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(directory, "CameraHub.dll"));
        foreach (var (key, value) in Settings)
        {
            info.Environment[key] = value;
        }

        info.Environment["ASPNETCORE_URLS"] = url;
        info.Environment["CameraHub__DataDirectory"] = DataDirectory;
        info.Environment["CameraHub__Database__Provider"] = PostgreSql ? "PostgreSql" : "Sqlite";
        info.Environment["ConnectionStrings__CameraHub"] = Database;
        info.Environment["ConnectionStrings__Redis"] = Redis;
        info.Environment["CameraHub__Node__Name"] = name;
        info.Environment["CameraHub__Node__PublicUrl"] = url;
        info.Environment["CameraHub__Node__Cluster"] = Name;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var node = new HubNode(name, new Uri(url), Process.Start(info)!);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return Task.FromResult(node);
    }

    /// <summary>Drops a node that has exited for good from <see cref="Nodes"/> (tests iterate the members).</summary>
    public void Forget(HubNode node)
    {
        lock (_nodes)
        {
            _nodes.Remove(node);
        }

        node.Process.Dispose();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Kill();
        }

        foreach (var node in _nodes)
        {
            await node.Process.WaitForExitAsync();
            node.Process.Dispose();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a straggling ffmpeg; /tmp is cleaned anyway
        }
    }
}

/// <summary>One hub process of the cluster, its output kept for the test to read.</summary>
public sealed class HubNode
{
    private readonly ConcurrentQueue<string> _output = new();

    public HubNode(string name, Uri url, Process process)
    {
        Name = name;
        Url = url;
        Process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri Url { get; }

    public Process Process { get; }

    /// <summary>Everything the process wrote so far.</summary>
    public string Output => string.Join('\n', _output);

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>Waits until the node answers /healthz (it has migrated and listens).</summary>
    public async Task ReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            Assert.False(Process.HasExited, $"node {Name} exited ({(Process.HasExited ? Process.ExitCode : 0)}):\n{Output}");
            try
            {
                using var health = await client.GetAsync("/healthz");
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
            catch (TaskCanceledException)
            {
                await Task.Delay(200);
            }
        }

        Assert.Fail($"node {Name} did not answer within 120 s:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs, its database connections just break.</summary>
    public void Kill()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
        }
    }

    /// <summary>An HTTP client for this node, no credentials.</summary>
    public HttpClient Client() => new() { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A bearer token for <paramref name="userName"/>, issued by this node.</summary>
    public async Task<string> TokenAsync(string userName)
    {
        using var client = Client();
        using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = userName, password = HubCluster.Password });
        Assert.True(response.IsSuccessStatusCode, $"sign-in of {userName} on {Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>A client of this node signed in as <paramref name="userName"/> with <paramref name="token"/> (or one issued here).</summary>
    public async Task<HttpClient> AsAsync(string userName, string? token = null)
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? await TokenAsync(userName));
        return client;
    }
}
