using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Import;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Reports;
using CameraHub.CameraRegistry.Secrets;
using CameraHub.CameraRegistry.Sites;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.CameraRegistry;

/// <summary>Composition of the registry module: services and routes.</summary>
public static class RegistryModule
{
    /// <summary>Registers the registry's database, catalogue, importer and report settings.</summary>
    public static IServiceCollection AddCameraRegistry(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        services.AddDbContext<RegistryDbContext>(o => o.UseSqlite(connectionString, s => s.MigrationsHistoryTable(RegistryDbContext.MigrationsTable)));
        services.AddScoped<CameraCatalogue>();
        services.AddScoped<CameraImporter>();
        services.AddSingleton<ICameraDirectory, CameraDirectory>();
        services.AddSingleton<CredentialProtector>();
        services.AddOptions<CostAssumptions>().Bind(configuration.GetSection("CameraHub:Costs"));
        services.AddDataProtection();
        return services;
    }

    /// <summary>Maps every registry route; returns the groups so the host can require authorisation on them.</summary>
    public static IReadOnlyList<IEndpointConventionBuilder> MapCameraRegistry(this IEndpointRouteBuilder routes) =>
    [
        routes.MapOrganisationEndpoints(),
        routes.MapSiteEndpoints(),
        routes.MapCameraImport(),
        routes.MapCameraEndpoints(),
        routes.MapReportEndpoints(),
    ];
}
