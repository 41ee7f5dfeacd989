using System.Globalization;
using CameraHub.CameraRegistry.Import;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Sites;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CameraHub.CameraRegistry.Demo;

/// <summary>Loads a sample city (organisations.csv, sites.csv, cameras.csv) into an empty registry.</summary>
public sealed class SampleCityLoader(RegistryDbContext db, CameraImporter importer, TimeProvider time, ILogger<SampleCityLoader> logger)
{
    /// <summary>Loads <paramref name="directory"/> when the registry has no cameras; returns how many cameras were loaded.</summary>
    public async Task<int> LoadIfEmptyAsync(string directory, CancellationToken ct)
    {
        if (await db.Cameras.AnyAsync(ct))
        {
            logger.LogInformation("Registry already holds cameras; sample city not loaded");
            return 0;
        }

        await LoadOrganisationsAndSitesAsync(directory, ct);
        using var cameras = new StreamReader(Path.Combine(directory, "cameras.csv"));
        var result = await importer.ImportAsync(cameras, "sample-city", ct);
        if (!result.Succeeded)
        {
            throw new InvalidDataException("The sample city's cameras.csv is invalid: " +
                string.Join("; ", result.Errors.Take(5).Select(e => $"line {e.Line} {e.Field}: {e.Message}")));
        }

        logger.LogInformation("Loaded sample city from {Directory}: {Cameras} cameras", directory, result.Imported);
        return result.Imported;
    }

    /// <summary>Loads organisations.csv and sites.csv (the owners and places cameras refer to).</summary>
    public async Task LoadOrganisationsAndSitesAsync(string directory, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        using (var reader = new StreamReader(Path.Combine(directory, "organisations.csv")))
        using (var csv = new CsvReader(reader, CultureInfo.InvariantCulture))
        {
            foreach (var row in csv.GetRecords<OrganisationRow>())
            {
                if (!await db.Organisations.AnyAsync(o => o.Id == row.Id, ct))
                {
                    db.Organisations.Add(new Organisation
                    {
                        Id = row.Id, Name = row.Name, Kind = Enum.Parse<OrganisationKind>(row.Kind),
                        OrganisationNumber = string.IsNullOrEmpty(row.OrganisationNumber) ? null : row.OrganisationNumber,
                        Contact = row.Contact, CreatedAtUtc = now,
                    });
                }
            }
        }

        using (var reader = new StreamReader(Path.Combine(directory, "sites.csv")))
        using (var csv = new CsvReader(reader, CultureInfo.InvariantCulture))
        {
            foreach (var row in csv.GetRecords<SiteRow>())
            {
                if (await db.Sites.AnyAsync(s => s.Id == row.Id, ct))
                {
                    continue;
                }

                db.Sites.Add(new Site
                {
                    Id = row.Id, Name = row.Name, Address = row.Address, Latitude = row.Latitude, Longitude = row.Longitude,
                    OwnerId = row.OwnerId,
                    Facade = string.IsNullOrEmpty(row.Facade) ? [] : [.. row.Facade.Split(' ').Select(p => p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())],
                });
            }
        }

        await db.SaveChangesAsync(ct);
    }

    private sealed record OrganisationRow(string Id, string Name, string Kind, string? OrganisationNumber, string? Contact);

    private sealed record SiteRow(string Id, string Name, string? Address, double? Latitude, double? Longitude, string? OwnerId, string? Facade);
}
