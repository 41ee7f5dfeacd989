using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CameraHub.Tests.Shared;

/// <summary>
/// The engines several hub nodes share, for tests: a PostgreSQL server and a Redis server on 127.0.0.1. When the test
/// script started them it passes them in (CAMERAHUB_TEST_POSTGRES, an Npgsql connection string of a role that may
/// create databases; CAMERAHUB_TEST_REDIS, host:port); otherwise the first test to ask starts a private one on a free
/// port, kept for the whole test run and stopped when the process exits. Every test gets its own database
/// (<see cref="PostgresServer.CreateDatabaseAsync"/>) and its own Redis channel prefix, so tests never see each other.
/// </summary>
public static class ClusterEngines
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _postgres;
    private static RedisServer? _redis;

    /// <summary>The shared PostgreSQL server, started on first use.</summary>
    public static async Task<PostgresServer> PostgresAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _postgres ??= Environment.GetEnvironmentVariable("CAMERAHUB_TEST_POSTGRES") is { Length: > 0 } given
                ? new PostgresServer(given, null)
                : await PostgresServer.StartPrivateAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The shared Redis server ("host:port"), started on first use.</summary>
    public static async Task<RedisServer> RedisAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _redis ??= Environment.GetEnvironmentVariable("CAMERAHUB_TEST_REDIS") is { Length: > 0 } given
                ? new RedisServer(given, null)
                : await RedisServer.StartPrivateAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A TCP port on 127.0.0.1 free at the moment of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a PostgreSQL tool as the postgres account when we are root (PostgreSQL refuses to run as root); the server closes inherited descriptors itself.</summary>
    internal static ProcessStartInfo AsPostgres(string tool, params string[] args)
    {
        var path = Path.Combine("/usr/lib/postgresql/15/bin", tool);
        var root = Environment.UserName == "root";
        var info = new ProcessStartInfo(root ? "runuser" : path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (root)
        {
            foreach (var a in new[] { "-u", "postgres", "--", path })
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    internal static async Task RunAsync(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(patience.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{info.FileName} {string.Join(' ', info.ArgumentList)} failed ({process.ExitCode}): {await stdout}{await stderr}");
        }
    }
}

/// <summary>A PostgreSQL server for tests; <see cref="CreateDatabaseAsync"/> gives each test its own database.</summary>
public sealed class PostgresServer
{
    private readonly string _admin;

    /// <summary>Stops the private server when this process ends (see <see cref="StartPrivateAsync"/>); kept so its stdin stays open.</summary>
    private Process? _watcher;

    internal PostgresServer(string adminConnectionString, string? directory)
    {
        _admin = adminConnectionString;
        Directory = directory;
    }

    /// <summary>The private cluster's folder, or null when the test script's server is used.</summary>
    public string? Directory { get; }

    /// <summary>A private cluster (initdb, trust on 127.0.0.1, fsync off: test data only), stopped when the test process exits.</summary>
    internal static async Task<PostgresServer> StartPrivateAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"camerahub-pg-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(dir);
        if (Environment.UserName == "root")
        {
            await ClusterEngines.RunAsync(new ProcessStartInfo("chown", ["postgres", dir]) { RedirectStandardOutput = true, RedirectStandardError = true });
        }

        var port = ClusterEngines.FreePort();
        await ClusterEngines.RunAsync(ClusterEngines.AsPostgres("initdb", "-D", Path.Combine(dir, "data"), "-A", "trust", "-U", "camerahub", "-E", "UTF8", "--no-sync"));
        await ClusterEngines.RunAsync(ClusterEngines.AsPostgres("pg_ctl", "-D", Path.Combine(dir, "data"), "-w", "-l", Path.Combine(dir, "log"),
            "-o", $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
            "start"));
        // A watcher stops the server and removes its folder when our end of its stdin closes: when this test process
        // ends, however it ends (a test host killed after the run runs no exit handlers).
        var stop = ClusterEngines.AsPostgres("pg_ctl", "-D", Path.Combine(dir, "data"), "-m", "immediate", "stop");
        var watcher = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        watcher.ArgumentList.Add("-c");
        watcher.ArgumentList.Add("exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; cat >/dev/null; \"$@\"; rm -rf \"$0\"");
        watcher.ArgumentList.Add(dir);
        watcher.ArgumentList.Add(stop.FileName);
        foreach (var a in stop.ArgumentList)
        {
            watcher.ArgumentList.Add(a);
        }

        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=camerahub;Database=postgres;Pooling=false", dir) { _watcher = Process.Start(watcher) };
    }

    /// <summary>Creates an empty database of its own for one test and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"camerahub_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_admin) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>The connection string of the existing database <paramref name="name"/> on this server.</summary>
    public string ConnectionString(string name) => new NpgsqlConnectionStringBuilder(_admin) { Database = name, Pooling = true }.ConnectionString;

    /// <summary>Drops a test's database, closing whatever connections a stopped hub left behind.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>A Redis server for tests ("host:port").</summary>
public sealed class RedisServer
{
    /// <summary>The shell around redis-server: kept, because closing its stdin (when this process ends) stops Redis.</summary>
    private readonly Process? _process;

    internal RedisServer(string endpoint, Process? process)
    {
        Endpoint = endpoint;
        _process = process;
    }

    /// <summary>"127.0.0.1:PORT", a StackExchange.Redis configuration string.</summary>
    public string Endpoint { get; }

    /// <summary>A private redis-server (no persistence), killed when the test process exits.</summary>
    internal static async Task<RedisServer> StartPrivateAsync()
    {
        var port = ClusterEngines.FreePort();
        // Through a shell that closes every inherited descriptor above stderr (a test run under `flock` would otherwise
        // pass its lock to Redis, which outlives the run) and kills Redis when our stdin closes, i.e. when this test
        // process ends however it ends.
        var info = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "-c", "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; "
                + "redis-server --port \"$0\" --bind 127.0.0.1 --save '' --appendonly no & pid=$!; cat >/dev/null; kill $pid",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new RedisServer($"127.0.0.1:{port}", process);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on 127.0.0.1:{port} within 10 s");
    }
}
