using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Identity;
using CameraHub.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Audit;

[Trait("Database", "SqliteFile")]
public class AuditChainTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        var log = _hub.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync(new AuditEvent(AuditAction.LiveViewStarted, AuditOutcome.Allowed, "traffic", $"TRF-{i % 3}", "Trafikledning", "127.0.0.1", $"view {i}"), default);
        }
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>What someone with the database file and sqlite3 could do: drop the guards, then edit.</summary>
    private async Task TamperAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_hub.DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP TRIGGER AuditEntries_NoUpdate; DROP TRIGGER AuditEntries_NoDelete; {sql}";
        await command.ExecuteNonQueryAsync();
    }

    private async Task<JsonElement> VerifyAsync()
    {
        var dpo = await _hub.SignInAsAsync("dpo");
        return await dpo.GetFromJsonAsync<JsonElement>("/api/audit/verify");
    }

    [Fact]
    public async Task Untouched_chain_verifies()
    {
        var result = await VerifyAsync();
        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.True(result.GetProperty("entries").GetInt64() >= 21);
    }

    [Fact]
    public async Task Database_refuses_update_and_delete_of_audit_rows()
    {
        await using var connection = new SqliteConnection($"Data Source={_hub.DatabasePath};Pooling=false");
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE AuditEntries SET Actor = 'nobody' WHERE Sequence = 3", "DELETE FROM AuditEntries WHERE Sequence = 3" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Edited_row_is_found_by_its_sequence_online_and_offline()
    {
        await TamperAsync("UPDATE AuditEntries SET Details = 'nothing to see' WHERE Sequence = 5");

        var result = await VerifyAsync();
        Assert.False(result.GetProperty("valid").GetBoolean());
        Assert.Equal(5, result.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Contains("altered", result.GetProperty("problem").GetString(), StringComparison.Ordinal);

        var key = _hub.Services.GetRequiredService<AuditCheckpointKey>();
        var offline = await AuditChainVerifier.VerifyFileAsync(_hub.DatabasePath, new AuditTrust(key.PublicKeyPem, [], new AuditCheckpointOptions(), null), default);
        Assert.Equal(5, offline.FirstBrokenSequence);
    }

    [Fact]
    public async Task Deleted_row_is_found_by_its_sequence()
    {
        await TamperAsync("DELETE FROM AuditEntries WHERE Sequence = 7");

        var result = await VerifyAsync();
        Assert.False(result.GetProperty("valid").GetBoolean());
        Assert.Equal(7, result.GetProperty("firstBrokenSequence").GetInt64());
    }

    [Fact]
    public async Task Rehashing_an_edited_row_still_breaks_the_next_link()
    {
        // A careful forger recomputes the edited row's own hash; the following row still points at the old one.
        await using (var connection = new SqliteConnection($"Data Source={_hub.DatabasePath};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT Sequence, AtTicks, Actor, Action, Outcome, CameraId, Purpose, RemoteAddress, Details, SubjectType, SubjectId, PreviousHash FROM AuditEntries WHERE Sequence = 9";
            await using var r = await read.ExecuteReaderAsync();
            await r.ReadAsync();
            var forged = new AuditEntry
            {
                Sequence = r.GetInt64(0), AtTicks = r.GetInt64(1), Actor = "someone-else", Action = (AuditAction)r.GetInt32(3),
                Outcome = (AuditOutcome)r.GetInt32(4), CameraId = r.IsDBNull(5) ? null : r.GetString(5), Purpose = r.IsDBNull(6) ? null : r.GetString(6),
                RemoteAddress = r.IsDBNull(7) ? null : r.GetString(7), Details = r.IsDBNull(8) ? null : r.GetString(8), SubjectType = null, SubjectId = null,
                PreviousHash = r.GetString(11), Hash = string.Empty,
            };
            var hash = HashChainedAuditLog.ComputeHash(forged);
            await TamperAsync($"UPDATE AuditEntries SET Actor = 'someone-else', Hash = '{hash}' WHERE Sequence = 9");
        }

        var result = await VerifyAsync();
        Assert.Equal(10, result.GetProperty("firstBrokenSequence").GetInt64());
    }

    [Fact]
    public async Task Audit_query_filters_by_camera_and_exports_csv()
    {
        var dpo = await _hub.SignInAsAsync("dpo");
        var page = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?camera=TRF-1&action=LiveViewStarted");
        Assert.Equal(7, page.GetProperty("total").GetInt32());
        var csv = await dpo.GetStringAsync("/api/audit?camera=TRF-1&action=LiveViewStarted&format=csv");
        Assert.Equal(8, csv.Trim().Split('\n').Length); // header + 7
        var exported = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?action=AuditExported");
        Assert.Equal(1, exported.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Data_subject_report_lists_who_watched_a_camera_and_why()
    {
        var dpo = await _hub.SignInAsAsync("dpo");
        var from = Uri.EscapeDataString(_hub.Time.GetUtcNow().AddHours(-1).ToString("O"));
        var to = Uri.EscapeDataString(_hub.Time.GetUtcNow().AddHours(1).ToString("O"));
        var report = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit/data-subject?camera=TRF-2&from={from}&to={to}");
        var accesses = report.GetProperty("accesses").EnumerateArray().ToList();
        Assert.Equal(6, accesses.Count);
        Assert.All(accesses, a => Assert.Equal(("traffic", "Trafikledning"), (a.GetProperty("actor").GetString(), a.GetProperty("purpose").GetString())));
    }
}
