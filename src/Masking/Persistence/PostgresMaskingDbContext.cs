using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.Masking.Persistence;

/// <summary>The masking module's tables on PostgreSQL: the same model, with that engine's own migrations under Persistence/PostgresMigrations.</summary>
public sealed class PostgresMaskingDbContext(DbContextOptions<PostgresMaskingDbContext> options) : MaskingDbContext(options);

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL Masking context without the host or a server.</summary>
public sealed class PostgresMaskingDesignTimeFactory : IDesignTimeDbContextFactory<PostgresMaskingDbContext>
{
    public PostgresMaskingDbContext CreateDbContext(string[] args) => new(HubDatabase.PostgreSqlDesignTime<PostgresMaskingDbContext>(MaskingDbContext.MigrationsTable));
}
