using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.CameraRegistry.Care;

/// <summary>Composition of care supervision (issue #19): its database, the visit rule, planner, keeper and feed.</summary>
public static class CareModule
{
    public static IServiceCollection AddCare(this IServiceCollection services, HubDatabase database)
    {
        database.AddContextFactory<CareDbContext, PostgresCareDbContext>(services, CareDbContext.MigrationsTable);
        services.AddSingleton<CareVisitRule>();
        services.AddSingleton<CareVisitPlanner.Gate>();
        services.AddSingleton<CareDecisions>();
        services.AddSingleton<CareVisitFeed>();
        services.AddSingleton<ICareVisitFeed>(sp => sp.GetRequiredService<CareVisitFeed>());
        services.AddSingleton<CareVisitKeeper>();
        services.AddHostedService(sp => sp.GetRequiredService<CareVisitKeeper>());
        services.AddScoped<DemoCare>();
        return services;
    }

    /// <summary>Applies the care migrations (history table <c>__CareMigrations</c>).</summary>
    public static async Task MigrateCareAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<CareDbContext>>().CreateDbContextAsync(ct);
        await HubDatabase.MigrateAsync(services, db, ct);
    }
}
