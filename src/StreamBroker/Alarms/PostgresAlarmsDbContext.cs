using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>The alarm desk's tables on PostgreSQL: the same model, with that engine's own migrations under Alarms/PostgresMigrations.</summary>
public sealed class PostgresAlarmsDbContext(DbContextOptions<PostgresAlarmsDbContext> options) : AlarmsDbContext(options);

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL Alarms context without the host or a server.</summary>
public sealed class PostgresAlarmsDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAlarmsDbContext>
{
    public PostgresAlarmsDbContext CreateDbContext(string[] args) => new(HubDatabase.PostgreSqlDesignTime<PostgresAlarmsDbContext>(AlarmsDbContext.MigrationsTable));
}
