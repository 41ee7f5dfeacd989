using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.StreamBroker.Playback;
using CameraHub.StreamBroker.Retention;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CameraHub.StreamBroker.Recording;

/// <summary>Composition of recording, retention and playback: services, hosted recorder and sweeper, routes.</summary>
public static class RecordingModule
{
    /// <summary>
    /// Registers recording (needs the broker's <see cref="Live.PathManager"/>: call after AddStreamBroker). The storage
    /// root defaults to &lt;dataDirectory&gt;/recordings unless CameraHub:Recording:StorageRoot is set.
    /// </summary>
    public static IServiceCollection AddRecording(this IServiceCollection services, IConfiguration configuration, HubDatabase database, string dataDirectory)
    {
        database.AddContext<RecordingDbContext, PostgresRecordingDbContext>(services, RecordingDbContext.MigrationsTable);
        // The recorder and the sweeper run once per cluster; on one node (or without the registry) the lease is in-process.
        services.TryAddSingleton<CameraHub.CameraRegistry.Cluster.IClusterLeases, CameraHub.CameraRegistry.Cluster.LocalClusterLeases>();
        // Hosts without the registry module (tests) record everything: one node owns every camera.
        services.TryAddSingleton<CameraHub.CameraRegistry.Cluster.ICameraOwners, CameraHub.CameraRegistry.Cluster.LocalCameraOwners>();
        services.AddOptions<RecordingOptions>()
            .Configure(o => o.StorageRoot = Path.Combine(dataDirectory, "recordings"))
            .Bind(configuration.GetSection(RecordingOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AccessGate>();
        services.TryAddSingleton<IStorageSpace, DriveStorageSpace>();
        services.AddSingleton<SegmentIndex>();
        services.AddSingleton<Reconciler>();
        services.AddSingleton<Recorder>();
        services.AddHostedService(sp => sp.GetRequiredService<Recorder>());
        services.AddSingleton<RecordingMonitor>();
        services.AddMetrics();
        services.AddSingleton<RecordingMetrics>();
        services.AddSingleton<RetentionSweeper>();
        services.AddHostedService<RetentionService>();
        services.AddSingleton<LegalHolds>();
        services.AddSingleton<PlaybackSessions>();
        services.AddSingleton<MaskedPlayback>();
        services.AddSingleton<PlaybackOpener>();
        return services;
    }

    /// <summary>
    /// Maps the routes, in order: recordings listing and playback opening (policy with the caller: require
    /// authentication), the playback streams (session token: leave anonymous), legal holds and storage (role-protected).
    /// </summary>
    public static IReadOnlyList<IEndpointConventionBuilder> MapRecording(this IEndpointRouteBuilder routes) =>
    [
        routes.MapRecordingQueries(),
        routes.MapPlaybackStreams(),
        routes.MapLegalHolds(),
        routes.MapRecordingStorage(),
    ];

    /// <summary>Creates or upgrades recording's tables; the host calls it at start-up next to the other modules' migrations.</summary>
    public static async Task MigrateRecordingAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await HubDatabase.MigrateAsync(services, scope.ServiceProvider.GetRequiredService<RecordingDbContext>(), ct);
    }
}
