using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CameraHub.Tests.Infrastructure;

/// <summary>
/// The real hub on a real SQLite file in a temp folder (or, in the PostgreSQL pass, a fresh PostgreSQL database of its
/// own: <see cref="TestDatabase"/>), real migrations applied at start-up, with a controllable clock. Helpers are named after what they do: create users, cameras and grants; get a client signed in as someone.
/// </summary>
public class HubFactory : WebApplicationFactory<Program>
{
    public const string Password = "Test-Password-2026";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Dictionary<string, string> _settings;

    private readonly bool _realTime;

    private readonly bool _ownsData;

    /// <param name="realTime">Run on the system clock (recording and export tests that need real media time).</param>
    public HubFactory(bool demo = false, Dictionary<string, string>? settings = null, bool realTime = false)
    {
        _realTime = realTime;
        // A test that restarts a hub passes its own data directory: the hub's database lives there (and on PostgreSQL is
        // remembered there), and the test, not this factory, removes it.
        var given = settings?.GetValueOrDefault("CameraHub:DataDirectory");
        _ownsData = given is null;
        DataDirectory = given ?? Directory.CreateTempSubdirectory("camerahub-test-").FullName;
        Database = TestDatabase.Create($"Data Source={DatabasePath}", given);
        _settings = new Dictionary<string, string>(Database.Settings)
        {
            ["CameraHub:DataDirectory"] = DataDirectory,
            ["CameraHub:Demo"] = demo ? "true" : "false",
            ["CameraHub:DemoPassword"] = Password,
            ["CameraHub:DemoCameras"] = "false",
            // Host tests of other features must not start recording the sample cameras; recording tests turn it on.
            ["CameraHub:Recording:Enabled"] = "false",
            // Tests sign in far more often than people; the rate limit has its own test (SignInRateLimitTests).
            ["CameraHub:SignIn:PermitsPerWindow"] = "100000",
        };
        foreach (var (k, v) in settings ?? [])
        {
            _settings[k] = v;
        }
    }

    public string DataDirectory { get; }

    /// <summary>The SQLite file (SQLite runs only: tests that edit it carry [Trait("Database", "SqliteFile")]).</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "camerahub.db");

    public TestDatabase Database { get; }

    /// <summary>Tuesday 24 November 2026, 12:00 UTC (13:00 in Göteborg): school cameras are outside their hours.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }

        if (!_realTime)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
        }
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task SeedOrganisationsAsync() => WithScopeAsync<int>(async sp =>
    {
        var db = sp.GetRequiredService<RegistryDbContext>();
        foreach (var (id, kind) in new[] { ("grundskolenamnden", OrganisationKind.Board), ("stadsmiljonamnden", OrganisationKind.Board), ("framtiden", OrganisationKind.MunicipalCompany), ("vasttrafik", OrganisationKind.Partner) })
        {
            if (!await db.Organisations.AnyAsync(o => o.Id == id))
            {
                db.Organisations.Add(new Organisation { Id = id, Name = id, Kind = kind });
            }
        }

        return await db.SaveChangesAsync();
    });

    public Task CreateUserAsync(string userName, string role, string? organisation = null) => WithScopeAsync(async sp =>
    {
        var (user, errors) = await sp.GetRequiredService<UserAccounts>().CreateAsync(userName, Password, role, organisation, null, "test", default);
        Assert.True(user is not null, string.Join("; ", errors));
        return user;
    });

    public Task<Camera> CreateCameraAsync(CameraInput input) => WithScopeAsync(async sp =>
    {
        var result = await sp.GetRequiredService<CameraCatalogue>().CreateAsync(input, "test", default);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        return result.Camera!;
    });

    public Task<Grant> GrantAsync(GrantSubjectKind kind, string subject, GrantScopeKind scopeKind, string scope, CameraRight rights) => WithScopeAsync(async sp =>
    {
        await using var db = await sp.GetRequiredService<IDbContextFactory<AccessDbContext>>().CreateDbContextAsync();
        var grant = new Grant
        {
            Id = Guid.NewGuid(), SubjectKind = kind, Subject = subject, ScopeKind = scopeKind, Scope = scope, Rights = rights,
            Reason = "test", CreatedBy = "test", CreatedAtUtc = Time.GetUtcNow().UtcDateTime,
        };
        db.Grants.Add(grant);
        await db.SaveChangesAsync();
        return grant;
    });

    /// <summary>An HTTP client with a bearer token for <paramref name="userName"/>.</summary>
    public async Task<HttpClient> SignInAsAsync(string userName)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/token", new { username = userName, password = Password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!_ownsData)
        {
            // The next hub on this directory opens the same database.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Npgsql.NpgsqlConnection.ClearAllPools();
            return;
        }

        Database.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
