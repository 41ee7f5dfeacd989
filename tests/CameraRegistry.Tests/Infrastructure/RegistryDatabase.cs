using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Import;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CameraHub.CameraRegistry.Tests.Infrastructure;

/// <summary>A real SQLite file in a temp folder (or, in the PostgreSQL test pass, a fresh PostgreSQL database) with the registry's real migrations applied.</summary>
public sealed class RegistryDatabase : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("camerahub-registry-").FullName;

    public RegistryDatabase()
    {
        Path = System.IO.Path.Combine(_directory, "registry.db");
        Database = TestDatabase.Create($"Data Source={Path}");
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

    public TestDatabase Database { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public IDataProtectionProvider DataProtection { get; } = new EphemeralDataProtectionProvider();

    public RegistryDbContext NewContext() => Database.NewContext<RegistryDbContext, PostgresRegistryDbContext>(RegistryDbContext.MigrationsTable);

    public CameraCatalogue Catalogue(RegistryDbContext db) => new(db, new CredentialProtector(DataProtection), Time);

    public CameraImporter Importer(RegistryDbContext db) => new(db, Catalogue(db), Time);

    public async Task<int> CountCamerasAsync()
    {
        await using var db = NewContext();
        return await db.Cameras.CountAsync();
    }

    /// <summary>Reads one value straight from the database, bypassing EF (quote identifiers: "Cameras" works on both engines).</summary>
    public async Task<string?> RawScalarAsync(string sql) => await RawColumnAsync(sql) is [var first, ..] ? first : null;

    /// <summary>Reads the first column of every row straight from the database, bypassing EF.</summary>
    public async Task<IReadOnlyList<string?>> RawColumnAsync(string sql)
    {
        await using var db = NewContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string?>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.IsDBNull(0) ? null : Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return values;
    }

    public ValueTask DisposeAsync()
    {
        Database.Dispose();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
