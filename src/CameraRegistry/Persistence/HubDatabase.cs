using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CameraHub.CameraRegistry.Persistence;

/// <summary>The engines a hub's state can live on.</summary>
public enum DatabaseProvider
{
    /// <summary>One file under data/: the embedded, single-process default.</summary>
    Sqlite,

    /// <summary>A shared PostgreSQL database: several hub nodes on one state.</summary>
    PostgreSql,
}

/// <summary>
/// The one place that decides which engine every module's DbContext runs on (CameraHub:Database:Provider) and how it
/// is configured. Each context has a PostgreSQL subclass that carries that engine's own migrations (EF Core's pattern
/// for several providers), so the SQLite migrations stay as they are.
/// </summary>
public sealed class HubDatabase
{
    /// <summary>Configuration key of the engine: Sqlite (default) or PostgreSql.</summary>
    public const string ProviderKey = "CameraHub:Database:Provider";

    /// <summary>Optional connection string of the schema's owner, used only to apply migrations (ConnectionStrings:CameraHubMigrations).</summary>
    public const string MigrationsConnectionName = "CameraHubMigrations";

    private HubDatabase(DatabaseProvider provider, string connectionString, string? migrationsConnectionString = null)
    {
        Provider = provider;
        ConnectionString = connectionString;
        MigrationsConnectionString = migrationsConnectionString;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The connection string (may hold a password: never log it).</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// The owner's connection for migrations when the hub itself runs as a role that may not change the schema (and may
    /// not update or delete audit rows); null: the hub's own connection migrates.
    /// </summary>
    public string? MigrationsConnectionString { get; }

    public bool IsPostgreSql => Provider == DatabaseProvider.PostgreSql;

    /// <summary>A SQLite database (the default engine).</summary>
    public static HubDatabase Sqlite(string connectionString) => new(DatabaseProvider.Sqlite, connectionString);

    /// <summary>A PostgreSQL database.</summary>
    public static HubDatabase PostgreSql(string connectionString, string? migrationsConnectionString = null) =>
        new(DatabaseProvider.PostgreSql, connectionString, migrationsConnectionString);

    /// <summary>Reads the engine and ConnectionStrings:CameraHub; SQLite falls back to <paramref name="defaultSqliteConnectionString"/>.</summary>
    public static HubDatabase FromConfiguration(IConfiguration configuration, string defaultSqliteConnectionString)
    {
        var name = configuration[ProviderKey];
        var connectionString = configuration.GetConnectionString("CameraHub");
        if (string.IsNullOrWhiteSpace(name) || string.Equals(name, nameof(DatabaseProvider.Sqlite), StringComparison.OrdinalIgnoreCase))
        {
            return Sqlite(connectionString ?? defaultSqliteConnectionString);
        }

        if (!string.Equals(name, nameof(DatabaseProvider.PostgreSql), StringComparison.OrdinalIgnoreCase)
            && !string.Equals(name, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{ProviderKey} is '{name}': use Sqlite (the default) or PostgreSql.");
        }

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"{ProviderKey} is PostgreSql but ConnectionStrings:CameraHub is not set (e.g. Host=127.0.0.1;Port=5432;Database=camerahub;Username=camerahub).");
        }

        return PostgreSql(connectionString, configuration.GetConnectionString(MigrationsConnectionName));
    }

    /// <summary>Applies <paramref name="db"/>'s pending migrations, as the schema owner when one is configured.</summary>
    public static async Task MigrateAsync(IServiceProvider services, DbContext db, CancellationToken ct)
    {
        var owner = services.GetService<HubDatabase>()?.MigrationsConnectionString;
        if (owner is null)
        {
            await db.Database.MigrateAsync(ct);
            return;
        }

        var own = db.Database.GetConnectionString();
        db.Database.SetConnectionString(owner);
        try
        {
            await db.Database.MigrateAsync(ct);
        }
        finally
        {
            db.Database.SetConnectionString(own);
        }
    }

    /// <summary>Points <paramref name="options"/> at this database with the context's own migration history table.</summary>
    public DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string migrationsHistoryTable) => Provider switch
    {
        DatabaseProvider.PostgreSql => options.UseNpgsql(ConnectionString, o => o.MigrationsHistoryTable(migrationsHistoryTable)),
        _ => options.UseSqlite(ConnectionString, o => o.MigrationsHistoryTable(migrationsHistoryTable)).AddInterceptors(SqliteTuning.Instance),
    };

    /// <summary>Options for `dotnet ef migrations add` on a PostgreSQL subclass (no connection is opened).</summary>
    public static DbContextOptions<TPostgres> PostgreSqlDesignTime<TPostgres>(string migrationsHistoryTable)
        where TPostgres : DbContext =>
        (DbContextOptions<TPostgres>)PostgreSql("Host=127.0.0.1;Database=camerahub_design")
            .Configure(new DbContextOptionsBuilder<TPostgres>(), migrationsHistoryTable).Options;

    /// <summary>Registers <typeparamref name="TContext"/> (scoped); on PostgreSQL it is served by <typeparamref name="TPostgres"/>.</summary>
    public IServiceCollection AddContext<TContext, TPostgres>(IServiceCollection services, string migrationsHistoryTable)
        where TContext : DbContext
        where TPostgres : TContext =>
        IsPostgreSql
            ? services.AddDbContext<TContext, TPostgres>(o => Configure(o, migrationsHistoryTable))
            : services.AddDbContext<TContext>(o => Configure(o, migrationsHistoryTable));

    /// <summary>Registers a factory of <typeparamref name="TContext"/> (and the scoped context); on PostgreSQL it builds <typeparamref name="TPostgres"/>.</summary>
    public IServiceCollection AddContextFactory<TContext, TPostgres>(IServiceCollection services, string migrationsHistoryTable)
        where TContext : DbContext
        where TPostgres : TContext
    {
        if (!IsPostgreSql)
        {
            return services.AddDbContextFactory<TContext>(o => Configure(o, migrationsHistoryTable));
        }

        services.AddDbContextFactory<TPostgres>(o => Configure(o, migrationsHistoryTable));
        services.TryAddSingleton<IDbContextFactory<TContext>>(sp => new Upcast<TContext, TPostgres>(sp.GetRequiredService<IDbContextFactory<TPostgres>>()));
        services.TryAddScoped<TContext>(sp => sp.GetRequiredService<TPostgres>());
        return services;
    }

    private sealed class Upcast<TContext, TPostgres>(IDbContextFactory<TPostgres> inner) : IDbContextFactory<TContext>
        where TContext : DbContext
        where TPostgres : TContext
    {
        public TContext CreateDbContext() => inner.CreateDbContext();

        public async Task<TContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
