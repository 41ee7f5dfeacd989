using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Masking.Evidence;
using CameraHub.Masking.Persistence;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Retention;
using CameraHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static CameraHub.Tests.Alarms.AlarmApi;

namespace CameraHub.Tests.Alarms;

/// <summary>
/// The hub's own alarms raised where their cause happens (disk floor, retention sweep, audit chain, evidence job), each
/// caused for real on the real hub and cleared when the cause is gone.
/// </summary>
public sealed class HubAlarmCauseTests
{
    [Fact]
    public async Task Storage_below_the_floor_raises_a_disk_floor_alarm_that_clears_once_space_is_back()
    {
        var space = new SettableSpace { Free = 1_000 };
        await using var hub = new SpaceHub(space, new() { ["CameraHub:Recording:Enabled"] = "true", ["CameraHub:Recording:MinFreeBytes"] = "1000000" });
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        var watch = hub.Services.GetRequiredService<HubAlarmWatch>();
        var sweeper = hub.Services.GetRequiredService<RetentionSweeper>();

        Assert.True((await sweeper.SweepAsync(CancellationToken.None)).Paused);
        await watch.CheckOnceAsync(CancellationToken.None);
        await watch.CheckOnceAsync(CancellationToken.None);

        var admin = await hub.SignInAsAsync("admin");
        var alarm = Assert.Single(await KindAsync(admin, HubAlarmKinds.DiskFloor));
        Assert.Equal("Critical", alarm.GetProperty("severity").GetString());
        Assert.Contains("recording paused", alarm.GetProperty("text").GetString(), StringComparison.Ordinal);

        space.Free = 10_000_000;
        Assert.False((await sweeper.SweepAsync(CancellationToken.None)).Paused);
        await watch.CheckOnceAsync(CancellationToken.None);

        Assert.Equal(JsonValueKind.String, Assert.Single(await KindAsync(admin, HubAlarmKinds.DiskFloor)).GetProperty("clearedAt").ValueKind);
    }

    [Fact]
    public async Task A_retention_sweep_that_fails_raises_an_alarm_with_the_reason_and_the_next_good_sweep_clears_it()
    {
        await using var hub = new HubFactory();
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        await hub.CreateCameraAsync(SampleCameras.PermitGarage("GAR-S-01"));
        // An expired segment whose file cannot be unlinked: its path is a directory with something in it.
        var root = Path.Combine(hub.DataDirectory, "recordings");
        var stuck = Path.Combine(root, "GAR-S-01", "stuck.mp4");
        Directory.CreateDirectory(stuck);
        await File.WriteAllTextAsync(Path.Combine(stuck, "inside"), "x");
        await hub.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<RecordingDbContext>();
            db.RecordingSegments.Add(new RecordingSegment
            {
                CameraId = "GAR-S-01", Path = Path.Combine("GAR-S-01", "stuck.mp4"), Bytes = 10,
                StartUtcTicks = hub.Time.GetUtcNow().AddDays(-30).UtcTicks, EndUtcTicks = hub.Time.GetUtcNow().AddDays(-30).AddMinutes(1).UtcTicks,
            });
            return await db.SaveChangesAsync();
        });
        var sweeper = hub.Services.GetRequiredService<RetentionSweeper>();
        var watch = hub.Services.GetRequiredService<HubAlarmWatch>();

        await Assert.ThrowsAnyAsync<Exception>(() => sweeper.SweepAsync(CancellationToken.None));
        await watch.CheckOnceAsync(CancellationToken.None);

        var admin = await hub.SignInAsAsync("admin");
        var alarm = Assert.Single(await KindAsync(admin, HubAlarmKinds.RetentionSweepFailed));
        Assert.Equal("Major", alarm.GetProperty("severity").GetString());
        Assert.Contains("stuck.mp4", alarm.GetProperty("text").GetString(), StringComparison.Ordinal);

        Directory.Delete(stuck, recursive: true);
        Assert.Equal(1, (await sweeper.SweepAsync(CancellationToken.None)).Deleted);
        await watch.CheckOnceAsync(CancellationToken.None);

        Assert.Equal(JsonValueKind.String, Assert.Single(await KindAsync(admin, HubAlarmKinds.RetentionSweepFailed)).GetProperty("clearedAt").ValueKind);
    }

    [Fact]
    [Trait("Database", "SqliteFile")] // edits the SQLite file
    public async Task Verification_finding_the_audit_chain_broken_raises_a_critical_alarm_and_a_clean_verification_clears_it()
    {
        await using var hub = new HubFactory();
        await hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        var dpo = await hub.SignInAsAsync("dpo");
        var watch = hub.Services.GetRequiredService<HubAlarmWatch>();
        var original = await SqlAsync(hub, "SELECT Details FROM AuditEntries WHERE Sequence = 1");

        await SqlAsync(hub, "DROP TRIGGER AuditEntries_NoUpdate; UPDATE AuditEntries SET Details = 'nothing to see' WHERE Sequence = 1");
        Assert.False((await dpo.GetFromJsonAsync<JsonElement>("/api/audit/verify")).GetProperty("valid").GetBoolean());
        await watch.CheckOnceAsync(CancellationToken.None);

        var alarm = Assert.Single(await KindAsync(dpo, HubAlarmKinds.AuditChainBroken));
        Assert.Equal("Critical", alarm.GetProperty("severity").GetString());
        Assert.Contains("altered", alarm.GetProperty("text").GetString(), StringComparison.Ordinal);

        await using (var connection = new SqliteConnection($"Data Source={hub.DatabasePath};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var restore = connection.CreateCommand();
            restore.CommandText = "UPDATE AuditEntries SET Details = $d WHERE Sequence = 1";
            restore.Parameters.AddWithValue("$d", original is null ? DBNull.Value : original);
            await restore.ExecuteNonQueryAsync();
        }

        Assert.True((await dpo.GetFromJsonAsync<JsonElement>("/api/audit/verify")).GetProperty("valid").GetBoolean());
        await watch.CheckOnceAsync(CancellationToken.None);

        Assert.Equal(JsonValueKind.String, Assert.Single(await KindAsync(dpo, HubAlarmKinds.AuditChainBroken)).GetProperty("clearedAt").ValueKind);
    }

    [Fact]
    [Trait("Database", "SqliteFile")] // edits the SQLite file
    public async Task A_failed_evidence_job_raises_an_alarm_for_its_case_and_a_package_for_the_same_case_clears_it()
    {
        await using var hub = new HubFactory();
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        await hub.CreateUserAsync("housing", HubRoles.CameraOwner, "framtiden");
        await hub.CreateCameraAsync(SampleCameras.Traffic("TRF-E-01"));
        var producer = hub.Services.GetRequiredService<EvidenceProducer>();

        var failed = await ApprovedRequestAsync(hub, "GONE-E-01");
        await producer.ProduceAsync(failed, CancellationToken.None);

        var admin = await hub.SignInAsAsync("admin");
        var alarm = Assert.Single(await KindAsync(admin, HubAlarmKinds.EvidenceFailed));
        Assert.Contains("no longer in the registry", alarm.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(await KindAsync(await hub.SignInAsAsync("housing"), HubAlarmKinds.EvidenceFailed));

        var produced = await ApprovedRequestAsync(hub, "TRF-E-01");
        await producer.ProduceAsync(produced, CancellationToken.None);

        Assert.Equal(JsonValueKind.String, Assert.Single(await KindAsync(admin, HubAlarmKinds.EvidenceFailed)).GetProperty("clearedAt").ValueKind);
    }

    private static async Task<List<JsonElement>> KindAsync(HttpClient client, string kind) =>
        [.. (await AlarmsAsync(client)).Where(a => a.GetProperty("kind").GetString() == kind)];

    /// <summary>What someone with the database file and sqlite3 could do.</summary>
    private static async Task<object?> SqlAsync(HubFactory hub, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={hub.DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static Task<Guid> ApprovedRequestAsync(HubFactory hub, string camera) => hub.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<MaskingDbContext>();
        var now = hub.Time.GetUtcNow().UtcDateTime;
        // Stored as rejected so the background producer (it takes approved ones) leaves them to the test's own call.
        var request = new EvidenceRequest
        {
            Id = Guid.NewGuid(), CaseNumber = "5000-K777777-26", RequestedBy = "police", CameraIds = [camera], FromUtc = now.AddHours(-2), ToUtc = now.AddHours(-1),
            Reason = "Skadegörelse", Status = EvidenceStatus.Rejected, DecidedBy = "admin", DecidedAtUtc = now, CreatedAtUtc = now,
        };
        db.EvidenceRequests.Add(request);
        await db.SaveChangesAsync();
        return request.Id;
    });

    /// <summary>Free space a test sets (the storage seam), so the floor is reached without filling a disk.</summary>
    private sealed class SettableSpace : IStorageSpace
    {
        public long Free { get; set; }

        public long FreeBytes(string root) => Free;
    }

    private sealed class SpaceHub(IStorageSpace space, Dictionary<string, string> settings) : HubFactory(settings: settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton(space));
        }
    }
}
