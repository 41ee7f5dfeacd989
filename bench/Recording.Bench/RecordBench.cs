using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.StreamBroker;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Recording;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>
/// Records N cameras (all pulling the same RTSP URL, one session each) with the real recorder for a measured window;
/// prints CPU of this process and of the upstream ffmpegs, and the disk write rate of the segments.
/// </summary>
internal static class RecordBench
{
    public static async Task RunAsync(int cameras, string url, int seconds)
    {
        var data = Directory.CreateTempSubdirectory("camerahub-record-bench-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CameraHub:Recording:SegmentLength"] = "00:00:10",
                ["CameraHub:Recording:MinFreeBytes"] = "0",
                ["CameraHub:Broker:FragmentEveryFrame"] = "true",
            }).Build();
            var services = new ServiceCollection()
                .AddLogging()
                .AddSingleton<IAccessPolicy, NoRights>()
                .AddSingleton<IAuditLog, NoAudit>()
                .AddSingleton<ICameraDirectory>(new Fleet(cameras, url))
                .AddStreamBroker(configuration)
                .AddRecording(configuration, HubDatabase.Sqlite($"Data Source={Path.Combine(data, "bench.db")};Pooling=false"), data)
                .BuildServiceProvider();
            await services.MigrateRecordingAsync(CancellationToken.None);
            var recorder = services.GetRequiredService<Recorder>();
            var paths = services.GetRequiredService<PathManager>();
            await ((IHostedService)recorder).StartAsync(CancellationToken.None);

            // Warm-up: every camera connected and writing.
            var warm = Stopwatch.StartNew();
            while (paths.Paths.Count(p => p.Status.State == CameraLiveState.Online) < cameras && warm.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(500);
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
            var root = Path.Combine(data, "recordings");
            var ffmpegs = paths.Paths.Select(p => p.UpstreamProcessId).OfType<int>().ToList();
            var bytes0 = Bytes(root);
            var self0 = Ticks(Environment.ProcessId);
            var ff0 = ffmpegs.Sum(Ticks);
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var elapsed = clock.Elapsed.TotalSeconds;
            var hz = 100.0; // USER_HZ on Linux
            var self = (Ticks(Environment.ProcessId) - self0) / hz / elapsed * 100;
            var ff = (ffmpegs.Sum(Ticks) - ff0) / hz / elapsed * 100;
            var rate = (Bytes(root) - bytes0) / elapsed;
            var online = paths.Paths.Count(p => p.Status.State == CameraLiveState.Online);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {cameras} cameras ({online} online), {seconds} s | hub {self:0.0} % CPU | ffmpeg total {ff:0.0} % CPU ({ff / Math.Max(1, ffmpegs.Count):0.0} % each) | disk {rate * 8 / 1e6:0.0} Mbit/s ({rate / 1e6:0.00} MB/s) |"));
            await ((IHostedService)recorder).StopAsync(CancellationToken.None);
            await services.DisposeAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Bytes in segment files, finished or being written.</summary>
    private static long Bytes(string root) =>
        Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;

    /// <summary>utime + stime of a process in clock ticks (/proc/PID/stat fields 14 and 15).</summary>
    private static long Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private sealed class Fleet(int count, string url) : ICameraDirectory
    {
        private readonly List<CameraSource> _cameras = [.. Enumerable.Range(0, count).Select(i => new CameraSource(
            $"rec-{i:00}", $"rec-{i:00}", "bench", CameraCategory.Traffic, CameraMode.RecordedOnly, CameraStatus.Active, true, "always", 7,
            url, null, RtspTransport.Udp, null, null, new MaskingProfile(), []))];

        public Task<CameraSource?> FindAsync(string cameraId, CancellationToken ct) => Task.FromResult(_cameras.FirstOrDefault(c => c.Id == cameraId));

        public Task<IReadOnlyList<CameraSource>> ActiveCamerasAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<CameraSource>>(_cameras);

        public Task ReportBitrateAsync(string cameraId, double kbps, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class NoRights : IAccessPolicy
    {
        public Task<AccessDecision> DecideAsync(ClaimsPrincipal user, CameraRight right, string cameraId, CancellationToken ct) =>
            Task.FromResult(AccessDecision.Forbid("bench"));
    }

    private sealed class NoAudit : IAuditLog
    {
        public Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken ct) => Task.FromResult(0L);
    }
}
