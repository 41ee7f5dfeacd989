using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>Composition of the alarm desk: store, sink for the hub's own alarms, event intake, SignalR hub, routes.</summary>
public static class AlarmsModule
{
    /// <summary>Registers the alarm desk (needs the registry and ONVIF: call after AddCameraRegistry and AddOnvif).</summary>
    public static IServiceCollection AddAlarms(this IServiceCollection services, IConfiguration configuration, HubDatabase database)
    {
        database.AddContextFactory<AlarmsDbContext, PostgresAlarmsDbContext>(services, AlarmsDbContext.MigrationsTable);
        services.AddOptions<AlarmOptions>().Bind(configuration.GetSection(AlarmOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AlarmVisibility>();
        services.AddSingleton<AlarmListeners>();
        services.AddSingleton<IAlarmNotifier, SignalRAlarmNotifier>();
        services.AddOptions<EventLimitOptions>().Bind(configuration.GetSection(AlarmOptions.Section));
        services.AddSingleton<EventFlood>();
        services.AddSingleton<CameraEventSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<CameraEventSweeper>());
        services.AddSingleton<AlarmStore>();
        services.AddSingleton<IAlarmSink>(sp => sp.GetRequiredService<AlarmStore>());
        services.AddSingleton<EventIntakeSignal>();
        services.AddSingleton<EventIntake>();
        services.AddHostedService(sp => sp.GetRequiredService<EventIntake>());
        services.AddOptions<HubAlarmOptions>().Bind(configuration.GetSection(AlarmOptions.Section));
        services.AddSingleton<HubAlarmWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<HubAlarmWatch>());
        services.AddSignalR();
        return services;
    }

    /// <summary>Maps the REST routes and /hubs/alarms; returns them so the host can require a signed-in user.</summary>
    public static IReadOnlyList<IEndpointConventionBuilder> MapAlarms(this IEndpointRouteBuilder routes) =>
    [
        routes.MapAlarmEndpoints(),
        routes.MapHub<AlarmsHub>("/hubs/alarms"),
    ];

    /// <summary>Creates or upgrades the alarm tables; the host calls it at start-up next to the other modules' migrations.</summary>
    public static async Task MigrateAlarmsAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<AlarmsDbContext>>().CreateDbContextAsync(ct);
        await HubDatabase.MigrateAsync(services, db, ct);
    }
}
