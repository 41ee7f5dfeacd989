using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Security;

/// <summary>
/// Nothing unbounded reaches storage: bodies over a route's limit get 413, fields over their length get 400 naming
/// the field and the limit, and nothing is stored; the audit log keeps a marked prefix of anything longer.
/// </summary>
[Trait("Database", "SqliteFile")]
public class InputLimitTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_hub.DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Bytes of one stored entry: every text column in UTF-8, the numbers as 8 bytes each.</summary>
    private async Task<long> LargestEntryBytesAsync() => await CountAsync("""
        SELECT MAX(40 + length(CAST(Actor AS BLOB)) + ifnull(length(CAST(CameraId AS BLOB)), 0) + ifnull(length(CAST(Purpose AS BLOB)), 0)
            + ifnull(length(CAST(RemoteAddress AS BLOB)), 0) + ifnull(length(CAST(Details AS BLOB)), 0) + ifnull(length(CAST(SubjectType AS BLOB)), 0)
            + ifnull(length(CAST(SubjectId AS BLOB)), 0) + length(PreviousHash) + length(Hash)) FROM AuditEntries
        """);

    private static async Task<string> ProblemAsync(HttpResponseMessage response) => await response.Content.ReadAsStringAsync();

    [Fact]
    public async Task A_megabyte_sign_in_body_is_refused_with_413_before_anything_is_stored()
    {
        var before = await CountAsync("SELECT COUNT(*) FROM AuditEntries");
        var response = await _hub.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = new string('a', 1_000_000), password = "x" });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 16,384 bytes", await ProblemAsync(response), StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync("SELECT COUNT(*) FROM AuditEntries"));
    }

    [Fact]
    public async Task A_failed_login_with_a_long_name_leaves_an_entry_under_one_kilobyte_with_a_marked_prefix()
    {
        var name = "=HYPERLINK(" + new string('x', 15_000);
        var response = await _hub.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = name, password = "wrong" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var dpo = await _hub.SignInAsAsync("dpo");
        var failed = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?action=LoginFailed");
        var actor = failed.GetProperty("items")[0].GetProperty("actor").GetString()!;
        Assert.Equal(AuditBounds.Actor, actor.Length);
        Assert.StartsWith("=HYPERLINK(xxx", actor, StringComparison.Ordinal);
        Assert.EndsWith("…[cut: 15011 chars]", actor, StringComparison.Ordinal);
        Assert.True(await LargestEntryBytesAsync() < 1024);
    }

    [Fact]
    public async Task A_megabyte_value_of_any_field_gives_an_audit_entry_under_one_kilobyte_that_still_verifies()
    {
        var huge = new string('é', 1_000_000);
        var log = _hub.Services.GetRequiredService<IAuditLog>();
        await log.AppendAsync(new AuditEvent(AuditAction.LoginFailed, AuditOutcome.Denied, huge, RemoteAddress: huge, Details: huge), default);
        await log.AppendAsync(new AuditEvent(AuditAction.AccessDenied, AuditOutcome.Denied, "x", CameraId: huge, SubjectType: huge, SubjectId: "😀" + huge), default);

        Assert.True(await LargestEntryBytesAsync() < 2048); // 'é' is two bytes in UTF-8: the same bounded characters
        await _hub.Services.GetRequiredService<AuditCheckpointer>().CheckpointNowAsync(default);
        var dpo = await _hub.SignInAsAsync("dpo");
        Assert.True((await dpo.GetFromJsonAsync<JsonElement>("/api/audit/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Camera_fields_over_their_limit_are_refused_naming_field_and_limit_and_nothing_is_stored()
    {
        var admin = await _hub.SignInAsAsync("admin");
        var tooLarge = await admin.PostAsJsonAsync("/api/cameras", SampleCameras.Traffic("BIG-1") with { Name = new string('n', 1_000_000) }, HubFactory.Json);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        var tooLong = await admin.PostAsJsonAsync("/api/cameras", SampleCameras.Traffic("LONG-1") with
        {
            Name = new string('n', 201),
            LegalBasis = new() { Kind = CameraHub.CameraRegistry.Cameras.LegalBasisKind.BalancingOfInterests, Reference = "SMN 1", DecidedOn = new DateOnly(2025, 1, 1), DecidedBy = "x", Weighing = "x", GdprArticle = "6(1)(e)", Purpose = new string('p', 1001) },
        }, HubFactory.Json);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var problem = await ProblemAsync(tooLong);
        Assert.Contains("name is 201 characters long; at most 200 are allowed", problem, StringComparison.Ordinal);
        Assert.Contains("legalBasis.purpose is 1,001 characters long; at most 1,000 are allowed", problem, StringComparison.Ordinal);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/api/cameras")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_imported_row_over_a_limit_is_named_by_line_and_field()
    {
        var admin = await _hub.SignInAsAsync("admin");
        var csv = $"id,name,ownerId,category,mode,status\nIMP-1,{new string('n', 300)},stadsmiljonamnden,Traffic,LiveOnly,Planned\n";
        var response = await admin.PostAsync("/api/cameras/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(problem.GetProperty("rowErrors").EnumerateArray(), e => e.GetProperty("line").GetInt32() == 2 && e.GetProperty("field").GetString() == "name"
            && e.GetProperty("message").GetString()!.Contains("at most 200", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/users", """{"userName":"LONG","password":"Test-Password-2026","role":"TrafficOperator"}""", 300, "userName is 300 characters long; at most 256 are allowed")]
    [InlineData("/api/organisations", """{"id":"org-long","name":"LONG","kind":"Board"}""", 201, "name is 201 characters long; at most 200 are allowed")]
    [InlineData("/api/grants", """{"subjectKind":"Role","subject":"TrafficOperator","scopeKind":"AllCameras","rights":"Live","reason":"LONG"}""", 1001, "reason is 1,001 characters long; at most 1,000 are allowed")]
    [InlineData("/api/sites", """{"id":"site-long","name":"LONG"}""", 201, "name is 201 characters long; at most 200 are allowed")]
    public async Task Form_fields_over_their_limit_are_refused_naming_field_and_limit(string route, string body, int length, string expected)
    {
        var admin = await _hub.SignInAsAsync("admin");
        var response = await admin.PostAsync(route, new StringContent(body.Replace("LONG", new string('a', length), StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await ProblemAsync(response), StringComparison.Ordinal);

        var tooLarge = await admin.PostAsync(route, new StringContent(body.Replace("LONG", new string('a', 100_000), StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    [Fact]
    public async Task Care_decisions_and_alarm_comments_refuse_oversized_fields_and_bodies_and_store_nothing()
    {
        var admin = await _hub.SignInAsAsync("admin");

        var decision = await admin.PostAsJsonAsync("/api/care/decisions", new
        {
            residentId = "r-1", residentName = new string('n', 500), decisionReference = "B-1", decisionDate = "2026-11-01",
            validFrom = "2026-11-01", consentBy = "anhörig", consentAt = "2026-11-01T10:00:00Z", schedule = "daily 22:00", careUnit = "Nordost",
        });
        Assert.Equal(HttpStatusCode.BadRequest, decision.StatusCode);
        Assert.Contains("residentName is 500 characters long; at most 200", await ProblemAsync(decision), StringComparison.Ordinal);

        using var huge = new StringContent($$"""{"text":"{{new string('a', 100_000)}}"}""", Encoding.UTF8, "application/json");
        var comment = await admin.PostAsync("/api/alarms/1/comments", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, comment.StatusCode);
    }
}

/// <summary>The token and cookie routes answer 429 after the limit per address, audited once per window.</summary>
public sealed class SignInRateLimitTests : IDisposable
{
    private readonly HubFactory _hub = new(settings: new() { ["CameraHub:SignIn:PermitsPerWindow"] = "3", ["CameraHub:SignIn:WindowSeconds"] = "3600" });

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task The_token_route_answers_429_after_the_limit_and_audits_it_once()
    {
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        var client = _hub.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsJsonAsync(i % 2 == 0 ? "/api/auth/token" : "/api/auth/login", new { username = "nobody", password = "wrong" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("3600", response.Headers.RetryAfter?.ToString());
            }
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        // Read the log without signing in (sign-in is throttled for this address now).
        var entries = await _hub.WithScopeAsync(async sp =>
        {
            await using var db = await sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CameraHub.CameraRegistry.Persistence.AccessDbContext>>().CreateDbContextAsync();
            return db.AuditEntries.Where(e => e.Action == AuditAction.SignInThrottled || e.Action == AuditAction.LoginFailed).Select(e => e.Action).ToList();
        });
        Assert.Single(entries, a => a == AuditAction.SignInThrottled);
        Assert.Equal(3, entries.Count(a => a == AuditAction.LoginFailed));
    }
}
