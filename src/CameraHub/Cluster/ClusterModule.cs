using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Cluster.Ownership;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CameraHub.Cluster;

/// <summary>
/// The hub as one node of several: its identity and heartbeat, leases for singleton jobs (PostgreSQL advisory locks
/// when the database is PostgreSQL), and, when ConnectionStrings:Redis is set, the SignalR backplane and access
/// changes over Redis. Without either it is a cluster of one and behaves as the single hub always did.
/// </summary>
public static class ClusterModule
{
    public static IServiceCollection AddHubCluster(this IServiceCollection services, IConfiguration configuration, HubDatabase database, IHealthChecksBuilder health)
    {
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection("CameraHub:Node"));
        services.AddSingleton(sp => NodeIdentity.From(sp.GetRequiredService<IOptions<NodeOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        database.AddContextFactory<ClusterDbContext, PostgresClusterDbContext>(services, ClusterDbContext.MigrationsTable);
        services.AddHostedService<NodeHeartbeat>();
        if (database.IsPostgreSql)
        {
            services.Replace(ServiceDescriptor.Singleton<IClusterLeases>(sp => new PostgresClusterLeases(database.ConnectionString, sp.GetRequiredService<NodeIdentity>().Name)));
            services.Replace(ServiceDescriptor.Singleton<IJobClaims>(sp => new PostgresJobClaims(
                database.ConnectionString, sp.GetRequiredService<NodeIdentity>(), sp.GetRequiredService<ILogger<PostgresJobClaims>>())
            {
                Timeout = sp.GetRequiredService<IOptions<NodeOptions>>().Value.ClaimTimeout,
            }));
        }

        // Issue #17: each camera is pulled by the one node that claimed it (docs/design/scale.md). On by default for a
        // cluster, i.e. PostgreSQL with Redis (the README's cluster, scripts/run-cluster.sh); a PostgreSQL hub without
        // Redis is one node and owns every camera, as on SQLite. CameraHub:Node:CameraOwnership overrides either way.
        var redisConfigured = configuration.GetConnectionString("Redis") is { Length: > 0 };
        if (database.IsPostgreSql && configuration.GetValue("CameraHub:Node:CameraOwnership", redisConfigured))
        {
            services.AddSingleton(sp => new PostgresCameraOwners(
                database.ConnectionString, sp.GetRequiredService<NodeIdentity>(), sp.GetRequiredService<IOptions<NodeOptions>>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresCameraOwners>>()));
            services.Replace(ServiceDescriptor.Singleton<ICameraOwners>(sp => sp.GetRequiredService<PostgresCameraOwners>()));
            services.AddHostedService<CameraOwnershipProbe>();
        }

        if (configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            AddRedis(services, redis, configuration.GetSection("CameraHub:Node").Get<NodeOptions>()?.Cluster ?? "camerahub", health);
        }

        return services;
    }

    private static void AddRedis(IServiceCollection services, string connectionString, string cluster, IHealthChecksBuilder health)
    {
        ConfigurationOptions Options()
        {
            var options = ConfigurationOptions.Parse(connectionString);
            // A node starts (and serves its own browsers) while Redis is down; the client reconnects by itself.
            options.AbortOnConnectFail = false;
            return options;
        }

        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(Options()));
        services.AddSignalR().AddStackExchangeRedis(o =>
        {
            o.Configuration = Options();
            o.Configuration.ChannelPrefix = RedisChannel.Literal(cluster);
        });
        services.AddSingleton<IAccessChangeRelay, RedisAccessChangeRelay>();
        services.AddHostedService<RedisAccessChangeListener>();
        health.AddCheck<RedisHealthCheck>("redis");
    }

    /// <summary>Creates or updates the cluster's table (start-up, with the modules' migrations).</summary>
    public static async Task MigrateClusterAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<ClusterDbContext>>().CreateDbContextAsync(ct);
        await HubDatabase.MigrateAsync(services, db, ct);
    }
}
