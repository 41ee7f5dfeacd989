using System.Text.Json.Serialization;
using CameraHub.CameraRegistry;
using CameraHub.CameraRegistry.Demo;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Health;
using CameraHub.Masking;
using CameraHub.Masking.Samples;
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
        var options = builder.Configuration.GetSection("CameraHub").Get<HubOptions>() ?? new HubOptions();
        var dataDirectory = options.ResolvedDataDirectory();
        var connectionString = builder.Configuration.GetConnectionString("CameraHub")
            ?? $"Data Source={Path.Combine(dataDirectory, "camerahub.db")}";

        builder.Services.Configure<HubOptions>(builder.Configuration.GetSection("CameraHub"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCameraRegistry(builder.Configuration, connectionString);
        builder.Services.AddMasking(connectionString);
        builder.Services.AddDataProtection()
            .SetApplicationName("CameraHub")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        builder.Services.AddScoped<SampleCityLoader>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<FfmpegHealthCheck>("ffmpeg")
            .AddCheck<StorageHealthCheck>("storage");

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapScalarApiReference("/api-reference");
        app.MapHealth();
        app.MapCameraRegistry();
        app.MapMasking();
        app.MapGet("/", () => Results.Redirect("/api-reference")).ExcludeFromDescription();
        return app;
    }

    /// <summary>Applies every module's migrations and, in demo mode, loads the sample city.</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        await db.Database.MigrateAsync(ct);
        await app.Services.MigrateMaskingAsync(ct);

        var options = app.Configuration.GetSection("CameraHub").Get<HubOptions>() ?? new HubOptions();
        if (options.Demo)
        {
            var directory = options.ResolvedSampleCityDirectory()
                ?? throw new InvalidOperationException("Demo mode needs samples/goteborg; set CameraHub:SampleCityDirectory.");
            await scope.ServiceProvider.GetRequiredService<SampleCityLoader>().LoadIfEmptyAsync(directory, ct);
            await scope.ServiceProvider.GetRequiredService<MaskingSampleLoader>().LoadIfEmptyAsync(directory, ct);
        }
    }

    /// <summary>Prints where the hub listens once Kestrel has bound its ports.</summary>
    public static void AnnounceAddresses(WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                Console.WriteLine($"CameraHub is listening on {address}  (API reference: {address}/api-reference)");
            }
        });
    }
}
