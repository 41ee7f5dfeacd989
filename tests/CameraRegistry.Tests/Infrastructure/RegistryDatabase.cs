using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Import;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CameraHub.CameraRegistry.Tests.Infrastructure;

/// <summary>A real SQLite file in a temp folder with the registry's real migrations applied.</summary>
public sealed class RegistryDatabase : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("camerahub-registry-").FullName;

    public RegistryDatabase()
    {
        Path = System.IO.Path.Combine(_directory, "registry.db");
        using var db = NewContext();
        db.Database.Migrate();
        db.Organisations.AddRange(
            new Organisation { Id = "grundskolenamnden", Name = "Grundskolenämnden", Kind = OrganisationKind.Board },
            new Organisation { Id = "stadsmiljonamnden", Name = "Stadsmiljönämnden", Kind = OrganisationKind.Board },
            new Organisation { Id = "framtiden", Name = "Framtiden", Kind = OrganisationKind.MunicipalCompany },
            new Organisation { Id = "vasttrafik", Name = "Västtrafik", Kind = OrganisationKind.Partner });
        db.SaveChanges();
    }

    public string Path { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public IDataProtectionProvider DataProtection { get; } = new EphemeralDataProtectionProvider();

    public RegistryDbContext NewContext() => new(new DbContextOptionsBuilder<RegistryDbContext>()
        .UseSqlite($"Data Source={Path}", o => o.MigrationsHistoryTable(RegistryDbContext.MigrationsTable)).Options);

    public CameraCatalogue Catalogue(RegistryDbContext db) => new(db, new CredentialProtector(DataProtection), Time);

    public CameraImporter Importer(RegistryDbContext db) => new(db, Catalogue(db), Time);

    public async Task<int> CountCamerasAsync()
    {
        await using var db = NewContext();
        return await db.Cameras.CountAsync();
    }

    /// <summary>Reads one value straight from the SQLite file, bypassing EF.</summary>
    public async Task<string?> RawScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
