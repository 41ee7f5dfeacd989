using CameraHub.CameraRegistry;
using CameraHub.CameraRegistry.Demo;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CameraHub.Masking.Tests;

/// <summary>
/// A real web host on 127.0.0.1 with the registry and masking modules on a real SQLite file in a temp folder (or a PostgreSQL database: TestDatabase),
/// both modules' real migrations applied and the sample city loaded (cameras only; calibrations are up to each test).
/// </summary>
internal sealed class MaskingHost : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly CameraHub.Tests.Shared.TestDatabase _database;
    private WebApplication? _app;

    private MaskingHost()
    {
        // A SQLite file in the folder, or in the PostgreSQL pass of scripts/test.sh a fresh PostgreSQL database.
        _database = CameraHub.Tests.Shared.TestDatabase.Create($"Data Source={_folder.File("camerahub.db")}");
    }

    public HttpClient Client { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

    public static string SampleCity
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "goteborg");
                if (File.Exists(Path.Combine(candidate, "cameras.csv")))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("samples/goteborg not found above the test binaries");
        }
    }

    public string DataDirectory => _folder.Path;

    public static async Task<MaskingHost> StartAsync(Action<IServiceCollection, string>? configure = null)
    {
        var host = new MaskingHost();
        var connection = host._database.Database;
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["CameraHub:DataDirectory"] = host._folder.Path });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCameraRegistry(builder.Configuration, connection);
        builder.Services.AddScoped<SampleCityLoader>();
        builder.Services.AddMasking(connection);
        configure?.Invoke(builder.Services, host._folder.Path);
        builder.Services.AddProblemDetails();
        // These tests are about masking, not sign-in: every request acts as an administrator (who has the
        // audit and manage rights the masking routes ask the real access policy for). Sign-in itself is tested in the host's tests.
        builder.Services.AddAuthentication(CameraHub.Tests.Shared.AdministratorAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, CameraHub.Tests.Shared.AdministratorAuthentication>(CameraHub.Tests.Shared.AdministratorAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapMasking();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Database.MigrateAsync();
            await app.Services.MigrateMaskingAsync(CancellationToken.None);
            if (connection.IsPostgreSql)
            {
                // The signing keys live in the shared database there; the hub creates that table at start-up.
                await using var keyRing = new CameraRegistry.Secrets.KeyRingDbContext(
                    (DbContextOptions<CameraRegistry.Secrets.KeyRingDbContext>)connection.Configure(new DbContextOptionsBuilder<CameraRegistry.Secrets.KeyRingDbContext>(), CameraRegistry.Secrets.KeyRingDbContext.MigrationsTable).Options);
                await keyRing.Database.MigrateAsync();
            }

            await scope.ServiceProvider.GetRequiredService<SampleCityLoader>().LoadIfEmptyAsync(SampleCity, CancellationToken.None);
            await using (var access = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AccessDbContext>>().CreateDbContextAsync())
            {
                await access.Database.MigrateAsync();
            }

            await scope.ServiceProvider.GetRequiredService<CameraRegistry.Identity.UserAccounts>()
                .CreateAsync("admin", "Masking-Tests-2026", CameraRegistry.Identity.HubRoles.Administrator, null, null, "test", CancellationToken.None);
        }

        await app.StartAsync();
        host._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Client = new HttpClient { BaseAddress = new Uri(address) };
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _database.Dispose();
        _folder.Dispose();
    }
}
