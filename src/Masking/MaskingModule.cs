using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Endpoints;
using CameraHub.Masking.Files;
using CameraHub.Masking.History;
using CameraHub.Masking.Masks;
using CameraHub.Masking.Persistence;
using CameraHub.Masking.Samples;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CameraHub.Masking;

/// <summary>Composition of the masking module: calibration storage, mask cache, file masking and routes.</summary>
public static class MaskingModule
{
    /// <summary>Registers masking's database context (own migration history in the shared database) and services.</summary>
    public static IServiceCollection AddMasking(this IServiceCollection services, HubDatabase database, VideoMaskerOptions? options = null)
    {
        database.AddContext<MaskingDbContext, PostgresMaskingDbContext>(services, MaskingDbContext.MigrationsTable);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options ?? new VideoMaskerOptions());
        services.AddSingleton<MaskCache>();
        services.AddSingleton<VideoMasker>();
        services.AddSingleton<CameraSnapshot>();
        services.AddSingleton<CameraFileMasker>();
        services.AddScoped<CalibrationStore>();
        services.AddScoped<History.MaskHistory>();
        services.AddSingleton<CameraRegistry.Cameras.IMaskingProfileLog, History.MaskingProfileLog>();
        services.AddScoped<MaskingSampleLoader>();
        // Partner feeds of masked cameras are masked with the same cached masks as exports.
        services.AddSingleton<StreamBroker.Masked.IFeedMasks, Feeds.FeedMasks>();
        return services;
    }

    /// <summary>
    /// Registers evidence export: the installation's signing key under <paramref name="dataDirectory"/>/keys, the background
    /// producer, and settings from <c>CameraHub:Evidence</c>. Needs an <see cref="Evidence.IEvidenceFootage"/> (the recorder).
    /// </summary>
    public static IServiceCollection AddEvidenceExport(
        this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, string dataDirectory, bool runInBackground = true)
    {
        services.AddOptions<Evidence.EvidenceOptions>()
            .Bind(configuration.GetSection("CameraHub:Evidence"))
            .PostConfigure(o => o.ExportsDirectory = Path.Combine(dataDirectory, o.ExportsDirectory));
        services.AddSingleton(sp => new Evidence.EvidenceSigningKey(
            SecretBlobStore.For(sp.GetService<HubDatabase>(), Path.Combine(dataDirectory, "keys")), sp.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()));
        // Bookmarks and camera events for the manifests, from the alarm desk when the host has it.
        services.AddSingleton<Evidence.EvidenceMarks>();
        services.AddSingleton<Evidence.EvidenceProducer>();
        if (runInBackground)
        {
            services.AddHostedService(sp => sp.GetRequiredService<Evidence.EvidenceProducer>());
        }

        return services;
    }

    /// <summary>Maps the masking routes; returns their group so the host can require authorisation on it.</summary>
    public static IReadOnlyList<IEndpointConventionBuilder> MapMasking(this IEndpointRouteBuilder routes) =>
    [
        routes.MapMaskingEndpoints(),
        routes.MapMaskHistoryEndpoints(),
    ];

    /// <summary>Creates or upgrades masking's tables; the host calls it at start-up next to the other modules' migrations.</summary>
    public static async Task MigrateMaskingAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await HubDatabase.MigrateAsync(services, scope.ServiceProvider.GetRequiredService<MaskingDbContext>(), ct);
    }
}
