using System.Text.Json.Serialization;
using CameraHub.Authentication;
using CameraHub.CameraRegistry;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Care;
using CameraHub.CameraRegistry.Demo;
using CameraHub.CameraRegistry.Limits;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.Cluster;
using CameraHub.Health;
using CameraHub.KeyProtection;
using CameraHub.Masking;
using CameraHub.Masking.Evidence;
using CameraHub.Masking.Samples;
using CameraHub.NodeWatch;
using CameraHub.Operations;
using CameraHub.StreamBroker;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Sharing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Scalar.AspNetCore;

namespace CameraHub.Composition;

/// <summary>Builds the web host: modules, persistence, OpenAPI, health; and prepares the database.</summary>
public static class HubApplication
{
    /// <summary>Creates the application with every module registered and every route mapped.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddHubLogging();
        builder.AddHubTelemetry();
        var options = builder.Configuration.GetSection("CameraHub").Get<HubOptions>() ?? new HubOptions();
        var dataDirectory = options.ResolvedDataDirectory();
        var database = HubDatabase.FromConfiguration(builder.Configuration, $"Data Source={Path.Combine(dataDirectory, "camerahub.db")}");

        builder.Services.Configure<HubOptions>(builder.Configuration.GetSection("CameraHub"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCameraRegistry(builder.Configuration, database);
        builder.Services.AddOnvif(builder.Configuration);
        builder.Services.AddMasking(database);
        builder.Services.AddHubKeyRing(builder.Configuration, dataDirectory, options.Demo, database);
        builder.Services.AddScoped<SampleCityLoader>();
        builder.Services.AddScoped<DemoAccess>();
        builder.Services.AddScoped<DemoSharing>();
        builder.Services.AddScoped<DemoMaskLift>();
        builder.Services.AddHubAuthentication(builder.Configuration, dataDirectory);
        builder.Services.AddHostedService<HubPreparation>();
        builder.Services.AddAuditCheckpoints(builder.Configuration, dataDirectory);
        builder.Services.AddSingleton<Demo.DemoCameras>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Demo.DemoCameras>());
        builder.Services.AddStreamBroker(builder.Configuration);
        builder.Services.AddHostedService<Care.CareVisitNotifications>();
        builder.Services.AddHostedService<Care.CareVisitAlarms>();
        builder.Services.AddSharing();
        builder.Services.AddPartnerStreaming(builder.Configuration);
        builder.Services.AddRecording(builder.Configuration, database, dataDirectory);
        builder.Services.AddSingleton<IEvidenceFootage, RecordedFootage>();
        builder.Services.AddEvidenceExport(builder.Configuration, dataDirectory);
        builder.Services.AddAlarms(builder.Configuration, database);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        var health = builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<FfmpegHealthCheck>("ffmpeg")
            .AddCheck<StorageHealthCheck>("storage");
        builder.Services.AddHubCluster(builder.Configuration, database, health);
        builder.Services.AddNodeLossWatch(builder.Configuration);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        app.UseStaticFiles();
        // Run from another folder (e.g. `dotnet run --project src/CameraHub` at the repository root), the content root
        // has no wwwroot; the build copies the pages next to the binaries, so serve them from there.
        var shipped = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var webRoot = Directory.Exists(app.Environment.WebRootPath ?? string.Empty) ? app.Environment.WebRootPath! : shipped;
        if (webRoot == shipped && Directory.Exists(shipped))
        {
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(shipped) });
        }
        app.UseBodyLimits();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        // The API description and reference are public documentation; health answers load balancers.
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api-reference").AllowAnonymous();
        app.MapHealth().AllowAnonymous();
        app.MapHubMetrics();
        app.MapOperationsStatus();
        app.MapNodes();
        app.MapAuthEndpoints();
        app.MapCameraRegistry();
        MapBroker(app);
        app.MapSharing();
        // Partner systems authenticate with their API key, checked per request against the sharing policy.
        app.MapPartnerHls().AllowAnonymous();
        MapRecording(app);
        // Signed-in users only, like the registry's groups; the manage-right check per camera comes with the access policy.
        foreach (var onvif in app.MapOnvifEndpoints())
        {
            onvif.RequireAuthorization();
        }

        app.MapEvidenceEndpoints().RequireAuthorization();
        foreach (var alarms in app.MapAlarms())
        {
            alarms.RequireAuthorization();
        }

        foreach (var masking in app.MapMasking())
        {
            masking.RequireAuthorization();
        }

        // The operator console (static pages; it signs in itself, and every call it makes is authorised by the API).
        var console = Path.Combine(webRoot, "index.html");
        app.MapGet("/", () => Results.File(console, "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Opening a live session and the status need a signed-in user; the streams are authorised by their session token.</summary>
    private static void MapBroker(WebApplication app)
    {
        var broker = app.MapStreamBroker();
        broker[0].RequireAuthorization();
        broker[1].AllowAnonymous();
        broker[2].RequireAuthorization();
        broker[3].RequireAuthorization();
    }

    /// <summary>Listing and opening playback need a signed-in user (the policy decides per camera); the streams carry their token.</summary>
    private static void MapRecording(WebApplication app)
    {
        var recording = app.MapRecording();
        recording[0].RequireAuthorization();
        recording[1].AllowAnonymous();
    }

    /// <summary>Applies every module's migrations and, in demo mode, loads the sample city.</summary>
    public static Task PrepareAsync(WebApplication app, CancellationToken ct) => PrepareAsync(app.Services, app.Configuration, ct);

    /// <summary>Applies every module's migrations and, in demo mode, loads the sample city and demo users.</summary>
    public static async Task PrepareAsync(IServiceProvider services, IConfiguration configuration, CancellationToken ct)
    {
        var options = configuration.GetSection("CameraHub").Get<HubOptions>() ?? new HubOptions();
        await KeyRingRegistration.MigrateAsync(services, ct);
        KeyRingRegistration.VerifyReadable(services, KeyRingRegistration.Location(services, options.ResolvedDataDirectory()));
        await using var scope = services.CreateAsyncScope();
        await HubDatabase.MigrateAsync(services, scope.ServiceProvider.GetRequiredService<RegistryDbContext>(), ct);
        await using (var access = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AccessDbContext>>().CreateDbContextAsync(ct))
        {
            await HubDatabase.MigrateAsync(services, access, ct);
        }

        await services.MigrateCareAsync(ct);
        await services.MigrateMaskingAsync(ct);
        await services.MigrateRecordingAsync(ct);
        await services.MigrateAlarmsAsync(ct);
        await services.MigrateClusterAsync(ct);

        if (!KeyRingRegistration.Encrypts(services))
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("CameraHub.KeyProtection").LogWarning(
                "The Data Protection key ring (which protects camera passwords and the evidence signing key) is stored unencrypted in {Directory}; "
                + "set CameraHub:KeyEncryptionKey or CameraHub:KeyEncryptionKeyFile (openssl rand -base64 32) and keep it outside the data directory",
                KeyRingRegistration.Location(services, options.ResolvedDataDirectory()));
        }

        if (options.Demo)
        {
            var directory = options.ResolvedSampleCityDirectory()
                ?? throw new InvalidOperationException("Demo mode needs samples/goteborg; set CameraHub:SampleCityDirectory.");
            await scope.ServiceProvider.GetRequiredService<SampleCityLoader>().LoadIfEmptyAsync(directory, ct);
            var password = options.DemoPassword ?? await GeneratedDemoPasswordAsync(options.ResolvedDataDirectory(), ct);
            await scope.ServiceProvider.GetRequiredService<DemoAccess>().EnsureAsync(password, ct);
            await scope.ServiceProvider.GetRequiredService<DemoMaskLift>().EnsureAsync(ct);
            await scope.ServiceProvider.GetRequiredService<DemoCare>().EnsureAsync(
                DemoCare.CareCameras(await services.GetRequiredService<ICameraDirectory>().ActiveCamerasAsync(ct)), "care", ct);
            var users = string.Join(", ", DemoAccess.Users.Select(u => u.User));
            if (options.DemoPassword is null)
            {
                HubLogging.Announce(services, $"Demo users {users} — password (generated, kept in data/demo-password.txt):", password);
            }
            else
            {
                HubLogging.Announce(services, $"Demo users {users} — password from CameraHub:DemoPassword.");
            }

            await scope.ServiceProvider.GetRequiredService<MaskingSampleLoader>().LoadIfEmptyAsync(directory, ct);
            if (await scope.ServiceProvider.GetRequiredService<DemoSharing>().EnsureAsync(ct) is { } partner)
            {
                HubLogging.Announce(services, $"Demo partner {partner.PartnerId} (shown once; rotate with POST /api/partners/{partner.PartnerId}/credentials):",
                    $"RTSP user {partner.UserName}, password {partner.Password}, HLS API key {partner.ApiKey}");
            }
        }
    }

    /// <summary>The demo password generated on the first demo start, kept so a restart prints the same one.</summary>
    private static async Task<string> GeneratedDemoPasswordAsync(string dataDirectory, CancellationToken ct)
    {
        var path = Path.Combine(dataDirectory, "demo-password.txt");
        if (File.Exists(path))
        {
            return (await File.ReadAllTextAsync(path, ct)).Trim();
        }

        var password = DemoAccess.GeneratePassword();
        await File.WriteAllTextAsync(path, password, ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return password;
    }

    /// <summary>Prints where the hub listens once Kestrel has bound its ports.</summary>
    public static void AnnounceAddresses(WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                HubLogging.Announce(app.Services, $"CameraHub is listening on {address}  (console {address}/, API reference /api-reference, health /healthz, metrics /metrics)");
            }
        });
    }
}
