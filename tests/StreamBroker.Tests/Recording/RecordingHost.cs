using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Playback;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Retention;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Tests.Recording;

/// <summary>A free-space figure the test sets (the disk-floor tests fill no disk).</summary>
public sealed class TestStorageSpace : IStorageSpace
{
    public long Free { get; set; } = long.MaxValue;

    public long FreeBytes(string root) => Free;
}

/// <summary>The caller is whoever X-Test-User names, with the role in X-Test-Role (the host's real sign-in is not under test).</summary>
public sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "test";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue("X-Test-User", out var user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, user.ToString()) };
        if (Request.Headers.TryGetValue("X-Test-Role", out var role))
        {
            claims.Add(new Claim(ClaimTypes.Role, role.ToString()));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Name)), Name)));
    }
}

/// <summary>
/// The broker with recording in a web host on 127.0.0.1: a real SQLite database with the real migrations in a temp
/// directory, test doubles for policy, audit and directory (X-Test-User names the caller), short segments.
/// </summary>
public sealed class RecordingHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestDatabase _database;

    private RecordingHost(WebApplication app, TestDatabase database, string dataDirectory, TestPolicy policy, TestAudit audit, TestDirectory cameras, TestStorageSpace space)
    {
        _app = app;
        _database = database;
        DataDirectory = dataDirectory;
        Policy = policy;
        Audit = audit;
        Cameras = cameras;
        Space = space;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string DataDirectory { get; }

    public string StorageRoot => Path.Combine(DataDirectory, "recordings");

    public HttpClient Http { get; }

    public TestPolicy Policy { get; }

    public TestAudit Audit { get; }

    public TestDirectory Cameras { get; }

    public TestStorageSpace Space { get; }

    public IServiceProvider Services => _app.Services;

    public Recorder Recorder => _app.Services.GetRequiredService<Recorder>();

    public PathManager Paths => _app.Services.GetRequiredService<PathManager>();

    public RetentionSweeper Sweeper => _app.Services.GetRequiredService<RetentionSweeper>();

    /// <summary>
    /// Starts the host. <paramref name="recording"/> false keeps the recorder and sweeper loops off (tests then drive
    /// <see cref="Recorder.ApplyAsync"/> and the sweeper by hand); <paramref name="dataDirectory"/> reuses a previous
    /// host's storage (a restart).
    /// </summary>
    public static async Task<RecordingHost> StartAsync(bool recording, TimeProvider? time = null, string? dataDirectory = null, Dictionary<string, string?>? settings = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("camerahub-rec-").FullName;
        var builder = BrokerHost.CreateBuilder(new()
        {
            ["CameraHub:Recording:Enabled"] = recording ? "true" : "false",
            ["CameraHub:Recording:SegmentLength"] = "00:00:02",
            ["CameraHub:Recording:ScheduleInterval"] = "00:00:01",
            ["CameraHub:Recording:MinFreeBytes"] = "1000",
        }, settings);

        var policy = new TestPolicy();
        var audit = new TestAudit();
        var cameras = new TestDirectory();
        var space = new TestStorageSpace();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddSingleton<IAccessPolicy>(policy);
        builder.Services.AddSingleton<IAuditLog>(audit);
        builder.Services.AddSingleton<ICameraDirectory>(cameras);
        builder.Services.AddSingleton<IStorageSpace>(space);
        builder.Services.AddStreamBroker(builder.Configuration);
        // Pooling off: the temp directory is deleted at the end and a pooled connection would keep the file open.
        // In the PostgreSQL pass (TestDatabase) a database of its own, whose name stays in the data directory for a restart.
        var database = TestDatabase.Create($"Data Source={Path.Combine(dataDirectory, "camerahub.db")};Pooling=false", dataDirectory);
        builder.Services.AddRecording(builder.Configuration, database.Database, dataDirectory);

        builder.Services.AddAuthentication(HeaderAuthentication.Name).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.Name, null);
        builder.Services.AddAuthorization();

        var app = builder.Build();
        await app.Services.MigrateRecordingAsync(CancellationToken.None);
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapStreamBroker();
        app.MapRecording();
        await app.StartAsync();
        return new RecordingHost(app, database, dataDirectory, policy, audit, cameras, space);
    }

    public RecordingDbContext Db() =>
        new((DbContextOptions<RecordingDbContext>)_database.Database.Configure(new DbContextOptionsBuilder<RecordingDbContext>(), RecordingDbContext.MigrationsTable).Options);

    public async Task<List<RecordingSegment>> SegmentsAsync(string cameraId)
    {
        await using var db = Db();
        return await db.RecordingSegments.AsNoTracking().Where(s => s.CameraId == cameraId).OrderBy(s => s.StartUtcTicks).ToListAsync();
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string user, object? body = null, string? role = null)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Test-User", user);
        if (role is not null)
        {
            request.Headers.Add("X-Test-Role", role);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: JsonSerializerOptions.Web);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Stops the host; <paramref name="keepData"/> leaves the storage for a restarted host.</summary>
    public async ValueTask DisposeAsync(bool keepData)
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (!keepData)
        {
            _database.Dispose();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    public ValueTask DisposeAsync() => DisposeAsync(keepData: false);
}
