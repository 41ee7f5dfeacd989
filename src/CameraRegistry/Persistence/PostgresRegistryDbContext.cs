using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.CameraRegistry.Persistence;

/// <summary>The registry's tables on PostgreSQL: the same model, with that engine's own migrations under PostgresMigrations/Registry.</summary>
public sealed class PostgresRegistryDbContext(DbContextOptions<PostgresRegistryDbContext> options) : RegistryDbContext(options);

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL Registry context without the host or a server.</summary>
public sealed class PostgresRegistryDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRegistryDbContext>
{
    public PostgresRegistryDbContext CreateDbContext(string[] args) => new(HubDatabase.PostgreSqlDesignTime<PostgresRegistryDbContext>(RegistryDbContext.MigrationsTable));
}
