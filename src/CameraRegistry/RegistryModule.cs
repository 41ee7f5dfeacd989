using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Care;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Import;
using CameraHub.CameraRegistry.MaskLifts;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Reports;
using CameraHub.CameraRegistry.Secrets;
using CameraHub.CameraRegistry.Sites;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CameraHub.CameraRegistry;

/// <summary>Composition of the registry module: cameras, access (users, grants, policy) and audit.</summary>
public static class RegistryModule
{
    /// <summary>Registers the registry's databases, catalogue, importer, identity stores, policy and audit log.</summary>
    public static IServiceCollection AddCameraRegistry(this IServiceCollection services, IConfiguration configuration, HubDatabase database)
    {
        services.AddSingleton(database);
        database.AddContext<RegistryDbContext, PostgresRegistryDbContext>(services, RegistryDbContext.MigrationsTable);
        database.AddContextFactory<AccessDbContext, PostgresAccessDbContext>(services, AccessDbContext.MigrationsTable);
        services.AddScoped<CameraCatalogue>();
        services.AddScoped<CameraImporter>();
        services.AddSingleton<ICameraDirectory, CameraDirectory>();
        services.AddSingleton<CredentialProtector>();
        services.AddOptions<CostAssumptions>().Bind(configuration.GetSection("CameraHub:Costs"));
        services.AddDataProtection();

        services.AddIdentityCore<HubUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AccessDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<HubUserClaimsFactory>()
            .AddDefaultTokenProviders();
        services.AddScoped<UserAccounts>();

        services.AddSingleton<HashChainedAuditLog>();
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<HashChainedAuditLog>());
        services.AddSingleton<AccessChangeFeed>();
        services.TryAddSingleton<Cluster.IClusterLeases, Cluster.LocalClusterLeases>();
        services.TryAddSingleton<Cluster.IJobClaims, Cluster.LeaseJobClaims>();
        services.TryAddSingleton<Cluster.ICameraOwners, Cluster.LocalCameraOwners>();
        services.AddSingleton<IPictureFeeds, PictureFeeds>();
        services.AddOptions<MaskLifts.MaskLiftOptions>().Bind(configuration.GetSection("CameraHub:MaskLifts"));
        services.AddSingleton<IAccessChangeFeed>(sp => sp.GetRequiredService<AccessChangeFeed>());
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<IAccessPolicy>(sp => sp.GetRequiredService<AccessPolicy>());
        services.AddSingleton<AccessGate>();
        services.AddCare(database);
        return services;
    }

    /// <summary>Signed audit checkpoints: the key in <paramref name="dataDirectory"/>/keys, options from CameraHub:Audit.</summary>
    public static IServiceCollection AddAuditCheckpoints(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.AddOptions<AuditCheckpointOptions>().Bind(configuration.GetSection("CameraHub:Audit"));
        services.AddSingleton(sp => new AuditCheckpointKey(Secrets.SecretBlobStore.For(sp.GetService<HubDatabase>(), Path.Combine(dataDirectory, "keys")), sp.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()));
        services.AddSingleton<AuditChainStatus>();
        services.AddSingleton<AuditCheckpointer>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditCheckpointer>());
        return services;
    }

    /// <summary>Maps every registry route; each group requires a signed-in user, finer checks happen per request.</summary>
    public static IReadOnlyList<IEndpointConventionBuilder> MapCameraRegistry(this IEndpointRouteBuilder routes)
    {
        IEndpointConventionBuilder[] groups =
        [
            routes.MapOrganisationEndpoints(),
            routes.MapSiteEndpoints(),
            routes.MapCameraImport(),
            routes.MapCameraEndpoints(),
            routes.MapReportEndpoints(),
            routes.MapGrantEndpoints(),
            routes.MapAuditEndpoints(),
            routes.MapUserEndpoints(),
            routes.MapRightsEndpoints(),
            routes.MapCareEndpoints(),
            .. routes.MapMaskLiftEndpoints(),
        ];
        foreach (var group in groups)
        {
            group.RequireAuthorization();
        }

        return groups;
    }
}
