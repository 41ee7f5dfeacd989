using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.StreamBroker;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Retention;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

if (args.Length > 0 && args[0] == "record")
{
    await RecordBench.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
    return;
}

// Retention sweeper over N indexed segments (default 100,000): 100 cameras, one-minute segments, a real SQLite file
// with the real migrations, an empty file per segment (the unlink is part of the cost). Half the footage is older
// than the cameras' retention; one legal hold per camera covers 10 % of the expired part.
var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
const int Cameras = 100;
var data = Directory.CreateTempSubdirectory("camerahub-sweep-bench-").FullName;
try
{
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["CameraHub:Recording:MinFreeBytes"] = "0",
    }).Build();
    var directory = new BenchDirectory(Cameras);
    var services = new ServiceCollection()
        .AddLogging()
        .AddSingleton<IAccessPolicy, NoPolicy>()
        .AddSingleton<IAuditLog, CountingAudit>()
        .AddSingleton<ICameraDirectory>(directory)
        .AddStreamBroker(configuration)
        .AddRecording(configuration, HubDatabase.Sqlite($"Data Source={Path.Combine(data, "bench.db")};Pooling=false"), data)
        .BuildServiceProvider();
    await services.MigrateRecordingAsync(CancellationToken.None);
    var root = Path.Combine(data, "recordings");
    var now = DateTimeOffset.UtcNow;
    var perCamera = total / Cameras;
    var setup = Stopwatch.StartNew();
    await using (var scope = services.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        for (var c = 0; c < Cameras; c++)
        {
            var camera = $"bench-{c:000}";
            // Segments reach back 20 days, evenly spaced; retention is 10 days, so half of them have expired.
            for (var i = 0; i < perCamera; i++)
            {
                var start = now - (perCamera - i) * Spacing(perCamera);
                var relative = SegmentFiles.RelativePath(camera, start);
                var full = Path.Combine(root, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.Create(full).DisposeAsync();
                db.RecordingSegments.Add(new RecordingSegment
                {
                    CameraId = camera,
                    StartUtcTicks = start.UtcTicks,
                    EndUtcTicks = start.AddMinutes(1).UtcTicks,
                    Path = relative,
                    Bytes = 15_000_000,
                });
            }

            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            db.LegalHolds.Add(new LegalHold
            {
                Id = Guid.NewGuid().ToString("N"),
                CameraId = camera,
                CaseNumber = $"K-{c}",
                CreatedBy = "bench",
                FromUtcTicks = now.AddDays(-21).UtcTicks,
                ToUtcTicks = now.AddDays(-19).UtcTicks,
                UntilUtcTicks = now.AddDays(30).UtcTicks,
                CreatedUtcTicks = now.UtcTicks,
            });
            await db.SaveChangesAsync();
        }
    }

    Console.WriteLine($"setup: {total:N0} segments and files in {setup.Elapsed.TotalSeconds:0.0} s");
    var sweeper = services.GetRequiredService<RetentionSweeper>();
    var clock = Stopwatch.StartNew();
    var report = await sweeper.SweepAsync(CancellationToken.None);
    var first = clock.Elapsed;
    clock.Restart();
    var again = await sweeper.SweepAsync(CancellationToken.None);
    var second = clock.Elapsed;
    var audit = (CountingAudit)services.GetRequiredService<IAuditLog>();
    Console.WriteLine($"sweep 1: {report.Deleted:N0} deleted, {report.KeptForHolds:N0} kept for holds, {audit.Count} audit entries, {first.TotalSeconds:0.00} s ({report.Deleted / first.TotalSeconds:N0} segments/s)");
    Console.WriteLine($"sweep 2 (nothing expired): {again.Deleted} deleted, {second.TotalMilliseconds:0} ms");
    await services.DisposeAsync();
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(data, recursive: true);
}

static TimeSpan Spacing(int perCamera) => TimeSpan.FromDays(20) / perCamera;

/// <summary>Cameras bench-000.. with a retention of 10 days.</summary>
internal sealed class BenchDirectory(int count) : ICameraDirectory
{
    public Task<CameraSource?> FindAsync(string cameraId, CancellationToken ct) => Task.FromResult<CameraSource?>(new CameraSource(
        cameraId, cameraId, "bench", CameraCategory.Traffic, CameraMode.RecordedOnly, CameraStatus.Active, true, "always", 10,
        "rtsp://bench.invalid/", null, RtspTransport.Tcp, null, null, new MaskingProfile(), []));

    public Task<IReadOnlyList<CameraSource>> ActiveCamerasAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<CameraSource>>([]);

    public Task ReportBitrateAsync(string cameraId, double kbps, CancellationToken ct) => Task.CompletedTask;

    public int Count => count;
}

internal sealed class NoPolicy : IAccessPolicy
{
    public Task<AccessDecision> DecideAsync(ClaimsPrincipal user, CameraRight right, string cameraId, CancellationToken ct) =>
        Task.FromResult(AccessDecision.Forbid("bench"));
}

internal sealed class CountingAudit : IAuditLog
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken ct) => Task.FromResult(Interlocked.Increment(ref _count));
}
