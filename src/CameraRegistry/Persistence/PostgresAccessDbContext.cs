using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.CameraRegistry.Persistence;

/// <summary>Users, grants and the audit log on PostgreSQL: the same model, with that engine's own migrations under PostgresMigrations/Access.</summary>
public sealed class PostgresAccessDbContext(DbContextOptions<PostgresAccessDbContext> options) : AccessDbContext(options);

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL Access context without the host or a server.</summary>
public sealed class PostgresAccessDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAccessDbContext>
{
    public PostgresAccessDbContext CreateDbContext(string[] args) => new(HubDatabase.PostgreSqlDesignTime<PostgresAccessDbContext>(AccessDbContext.MigrationsTable));
}
