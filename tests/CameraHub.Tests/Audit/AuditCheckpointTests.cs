using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Identity;
using CameraHub.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Audit;

/// <summary>
/// What someone with the database file and sqlite3 could do to the log, against signed checkpoints: drop the triggers
/// and cut the tail, or rewrite an old entry and recompute every later hash. Both are reported, naming the checkpoint.
/// </summary>
[Trait("Database", "SqliteFile")]
public class AuditCheckpointTests : IAsyncLifetime
{
    // Checkpoints only when the test takes them (and at start), so their sequences are known.
    private readonly HubFactory _hub = new(settings: new() { ["CameraHub:Audit:CheckpointEveryEntries"] = "1000000" });
    private AuditCheckpoint _at21 = null!;
    private AuditCheckpoint _at31 = null!;

    public async Task InitializeAsync()
    {
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer); // entry 1
        await AppendAsync(20);
        _at21 = await Checkpointer.CheckpointNowAsync(default);
        await AppendAsync(10);
        _at31 = await Checkpointer.CheckpointNowAsync(default);
        Assert.Equal((21, 31), (_at21.Sequence, _at31.Sequence));
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    private AuditCheckpointer Checkpointer => _hub.Services.GetRequiredService<AuditCheckpointer>();

    private AuditTrust Trust(params AuditCheckpoint[] kept) =>
        new(_hub.Services.GetRequiredService<AuditCheckpointKey>().PublicKeyPem, kept, new AuditCheckpointOptions(), null);

    private async Task AppendAsync(int count)
    {
        var log = _hub.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < count; i++)
        {
            await log.AppendAsync(new AuditEvent(AuditAction.PlaybackStarted, AuditOutcome.Allowed, "police", $"SKO-{i % 3}", "5000-K123456-26", "127.0.0.1", $"playback {i}"), default);
        }
    }

    private async Task SqlAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_hub.DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private const string DropTriggers = "DROP TRIGGER AuditEntries_NoUpdate; DROP TRIGGER AuditEntries_NoDelete; DROP TRIGGER AuditCheckpoints_NoUpdate; DROP TRIGGER AuditCheckpoints_NoDelete;";

    private static string Signed(AuditCheckpoint c) => c.AtUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Rewrites every entry from <paramref name="from"/> on with correct hashes: the chain itself stays consistent.</summary>
    private async Task RewriteFromAsync(long from)
    {
        await using var connection = new SqliteConnection($"Data Source={_hub.DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using (var drop = connection.CreateCommand())
        {
            drop.CommandText = DropTriggers;
            await drop.ExecuteNonQueryAsync();
        }

        var entries = new List<AuditEntry>();
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT Sequence, AtTicks, Actor, Action, Outcome, CameraId, Purpose, RemoteAddress, Details, SubjectType, SubjectId, PreviousHash, Hash FROM AuditEntries ORDER BY Sequence";
            await using var r = await read.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
                entries.Add(new AuditEntry
                {
                    Sequence = r.GetInt64(0), AtTicks = r.GetInt64(1), Actor = r.GetString(2), Action = (AuditAction)r.GetInt32(3), Outcome = (AuditOutcome)r.GetInt32(4),
                    CameraId = S(5), Purpose = S(6), RemoteAddress = S(7), Details = S(8), SubjectType = S(9), SubjectId = S(10), PreviousHash = r.GetString(11), Hash = r.GetString(12),
                });
            }
        }

        var previous = entries.First(e => e.Sequence == from).PreviousHash;
        foreach (var e in entries.Where(e => e.Sequence >= from))
        {
            if (e.Sequence == from)
            {
                e.Actor = "someone-else";
            }

            e.PreviousHash = previous;
            e.Hash = HashChainedAuditLog.ComputeHash(e);
            previous = e.Hash;
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE AuditEntries SET Actor = $actor, PreviousHash = $prev, Hash = $hash WHERE Sequence = $seq";
            update.Parameters.AddWithValue("$actor", e.Actor);
            update.Parameters.AddWithValue("$prev", e.PreviousHash);
            update.Parameters.AddWithValue("$hash", e.Hash);
            update.Parameters.AddWithValue("$seq", e.Sequence);
            await update.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task An_untouched_log_verifies_against_its_checkpoints_online_and_offline()
    {
        var offline = await AuditChainVerifier.VerifyFileAsync(_hub.DatabasePath, Trust(), default);
        Assert.True(offline.Valid, offline.Problem);
        Assert.Equal(31, offline.Entries);
        Assert.Equal(3, offline.Checkpoints); // at start (empty log), 21 and 31
        Assert.Equal(31, offline.NewestCheckpointSequence);

        var dpo = await _hub.SignInAsAsync("dpo");
        var online = await dpo.GetFromJsonAsync<JsonElement>("/api/audit/verify");
        Assert.True(online.GetProperty("valid").GetBoolean(), online.ToString());
    }

    [Fact]
    public async Task A_cut_tail_is_reported_naming_the_checkpoint_that_exposes_it()
    {
        await SqlAsync(DropTriggers + "DELETE FROM AuditEntries WHERE Sequence > 25;");

        var offline = await AuditChainVerifier.VerifyFileAsync(_hub.DatabasePath, Trust(), default);
        Assert.False(offline.Valid);
        Assert.Equal($"entries after 25 are missing: checkpoint 31 signed at {Signed(_at31)} covers the chain up to entry 31", offline.Problem);
        Assert.Equal(26, offline.FirstBrokenSequence);

        // The hub notices too, and will not sign a checkpoint over the cut chain.
        await Assert.ThrowsAsync<InvalidOperationException>(() => Checkpointer.CheckpointNowAsync(default));
    }

    [Fact]
    public async Task A_cut_tail_with_its_checkpoints_removed_is_exposed_by_the_checkpoint_the_dpo_kept_and_by_the_running_hub()
    {
        var dpo = await _hub.SignInAsAsync("dpo"); // entry 32
        var file = await dpo.GetFromJsonAsync<AuditCheckpointFile>("/api/audit/checkpoint"); // entry 33 and its checkpoint
        Assert.Equal(33, file!.Sequence);
        await SqlAsync(DropTriggers + "DELETE FROM AuditEntries WHERE Sequence > 25; DELETE FROM AuditCheckpoints WHERE Sequence > 25;");

        var withFile = await AuditChainVerifier.VerifyFileAsync(_hub.DatabasePath, Trust(file.ToCheckpoint()), default);
        Assert.False(withFile.Valid);
        Assert.StartsWith("entries after 25 are missing: checkpoint 33 signed at", withFile.Problem, StringComparison.Ordinal);

        var online = await dpo.GetFromJsonAsync<JsonElement>("/api/audit/verify");
        Assert.False(online.GetProperty("valid").GetBoolean());
        Assert.Contains("checkpoint 33 signed at", online.GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rewritten_old_entry_with_every_later_hash_recomputed_is_reported_naming_the_checkpoint()
    {
        await RewriteFromAsync(5);

        var offline = await AuditChainVerifier.VerifyFileAsync(_hub.DatabasePath, Trust(), default);
        Assert.False(offline.Valid);
        // The start-up checkpoint (before or after entry 1) still matches: the rewrite lies between it and checkpoint 21.
        Assert.Matches($"^entries [12]–21 were rewritten: checkpoint 21 signed at {Signed(_at21)} records head hash {_at21.HeadHash}, the chain now has [0-9a-f]{{64}}$", offline.Problem);
        Assert.Contains(offline.Problems!, p => p.Contains("–31 were rewritten: checkpoint 31", StringComparison.Ordinal));

        var dpo = await _hub.SignInAsAsync("dpo");
        var online = await dpo.GetFromJsonAsync<JsonElement>("/api/audit/verify");
        Assert.False(online.GetProperty("valid").GetBoolean());
        Assert.Contains("checkpoint 21 signed at", online.GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_checkpoint_is_reported()
    {
        await SqlAsync(DropTriggers + $"UPDATE AuditCheckpoints SET HeadHash = '{new string('a', 64)}' WHERE Sequence = 21;");

        var offline = await AuditChainVerifier.VerifyFileAsync(_hub.DatabasePath, Trust(), default);
        Assert.False(offline.Valid);
        Assert.Contains(offline.Problems!, p => p.StartsWith("checkpoint 21 signed at", StringComparison.Ordinal) && p.Contains("forged or altered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Checkpoints_are_append_only_in_the_database()
    {
        await using var connection = new SqliteConnection($"Data Source={_hub.DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM AuditCheckpoints WHERE Sequence = 31";
        var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_checkpoint_file_verifies_with_openssl_alone()
    {
        var dpo = await _hub.SignInAsAsync("dpo");
        var file = (await dpo.GetFromJsonAsync<AuditCheckpointFile>("/api/audit/checkpoint"))!;
        var dir = Directory.CreateTempSubdirectory("camerahub-checkpoint-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "statement.txt"), file.Statement);
            await File.WriteAllBytesAsync(Path.Combine(dir, "statement.sig"), Convert.FromBase64String(file.Signature));
            await File.WriteAllTextAsync(Path.Combine(dir, "key.pem"), file.PublicKeyPem);
            var result = await CameraHub.Tests.Shared.Tool.RunInAsync(dir, "openssl", "dgst", "-sha256", "-verify", "key.pem", "-signature", "statement.sig", "statement.txt");
            Assert.Equal(0, result.Code);
            Assert.Contains("Verified OK", result.Output, StringComparison.Ordinal);
            Assert.Contains($"sequence {file.Sequence}\nhead {file.HeadHash}\n", file.Statement, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>Checkpoints the hub signs by itself: every N entries, every M minutes, and when it stops.</summary>
[Trait("Database", "SqliteFile")]
public class AuditCheckpointScheduleTests
{
    private static async Task<long?> NewestCheckpointAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(Sequence) FROM AuditCheckpoints";
        return await command.ExecuteScalarAsync() is long l ? l : null;
    }

    private static async Task<long?> WaitForCheckpointAsync(string database, long atLeast)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await NewestCheckpointAsync(database) is { } s && s >= atLeast)
            {
                return s;
            }

            await Task.Delay(50);
        }

        return await NewestCheckpointAsync(database);
    }

    [Fact]
    public async Task Every_n_entries_every_m_minutes_and_at_shutdown()
    {
        using var hub = new HubFactory(settings: new() { ["CameraHub:Audit:CheckpointEveryEntries"] = "10", ["CameraHub:Audit:CheckpointEveryMinutes"] = "10" });
        var log = hub.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < 12; i++)
        {
            await log.AppendAsync(new AuditEvent(AuditAction.LiveViewStarted, AuditOutcome.Allowed, "traffic", "TRF-1"), default);
        }

        Assert.True(await WaitForCheckpointAsync(hub.DatabasePath, 10) >= 10, "no checkpoint after 10 entries");

        await log.AppendAsync(new AuditEvent(AuditAction.LiveViewEnded, AuditOutcome.Allowed, "traffic", "TRF-1"), default); // 13: fewer than N more
        // The timer is re-armed after each checkpoint; move the clock until it has been and fired.
        for (var i = 0; i < 50 && await NewestCheckpointAsync(hub.DatabasePath) < 13; i++)
        {
            hub.Time.Advance(TimeSpan.FromMinutes(11));
            await Task.Delay(100);
        }

        Assert.Equal(13, await WaitForCheckpointAsync(hub.DatabasePath, 13));

        await log.AppendAsync(new AuditEvent(AuditAction.LiveViewEnded, AuditOutcome.Allowed, "traffic", "TRF-1"), default); // 14
        var database = hub.DatabasePath;
        await hub.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHost>().StopAsync();
        Assert.Equal(14, await NewestCheckpointAsync(database));
    }
}
