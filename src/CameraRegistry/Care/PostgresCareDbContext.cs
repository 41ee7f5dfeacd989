using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.CameraRegistry.Care;

/// <summary>Care supervision on PostgreSQL: the same model, with that engine's own migrations under Care/PostgresMigrations.</summary>
public sealed class PostgresCareDbContext(DbContextOptions<PostgresCareDbContext> options) : CareDbContext(options);

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL Care context without the host or a server.</summary>
public sealed class PostgresCareDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCareDbContext>
{
    public PostgresCareDbContext CreateDbContext(string[] args) => new(HubDatabase.PostgreSqlDesignTime<PostgresCareDbContext>(CareDbContext.MigrationsTable));
}
