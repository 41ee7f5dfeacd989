using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.StreamBroker.Recording;

/// <summary>Recording's tables on PostgreSQL: the same model, with that engine's own migrations under Recording/PostgresMigrations.</summary>
public sealed class PostgresRecordingDbContext(DbContextOptions<PostgresRecordingDbContext> options) : RecordingDbContext(options);

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL Recording context without the host or a server.</summary>
public sealed class PostgresRecordingDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRecordingDbContext>
{
    public PostgresRecordingDbContext CreateDbContext(string[] args) => new(HubDatabase.PostgreSqlDesignTime<PostgresRecordingDbContext>(RecordingDbContext.MigrationsTable));
}
