using System.Text;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Import;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Tests.Import;

public class CameraImportTests : IAsyncLifetime
{
    private const string Header = "id,name,ownerId,category,mode,status,rtspUrl,legalBasisKind,legalBasisReference,legalBasisDecidedOn,legalBasisDecidedBy,legalBasisWeighing,gdprArticle,purpose,allowedHours,retentionDays,maskingKind,keepDistanceMetres,sharingPartners";
    private const string Hours = "\"Mon-Fri 20:00-06:00; Sat-Sun 17:00-07:00\"";
    private readonly RegistryDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static string SchoolRow(string id, string name = "Östra Skolan kamera 1", string retention = "14") =>
        $"{id},{name},grundskolenamnden,School,RecordedOnly,Active,rtsp://127.0.0.1/{id},BalancingOfInterests,GRU 2025-1,2025-05-02,Grundskolenämnden,Skadegörelse,6(1)(e),Skadegörelse,{Hours},{retention},FacadeDistance,2.0,";

    private async Task<ImportResult> ImportAsync(string csv)
    {
        await using var db = _database.NewContext();
        return await _database.Importer(db).ImportAsync(new StringReader(csv), "import-test", default);
    }

    [Fact]
    public async Task Valid_file_imports_every_row_with_Swedish_characters_intact()
    {
        var csv = string.Join('\n', Header, SchoolRow("SKO-1"), SchoolRow("SKO-2", "Älvsborgs förskola kamera 2"),
            "TRF-1,Trafikkamera Götaleden,stadsmiljonamnden,Traffic,LiveOnly,Active,rtsp://127.0.0.1/t,BalancingOfInterests,SMN 1,2025-04-15,Stadsmiljönämnden,Trafik,6(1)(e),Trafik,always,,None,,vasttrafik");

        var result = await ImportAsync(csv);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal(3, result.Imported);
        await using var db = _database.NewContext();
        Assert.Equal("Älvsborgs förskola kamera 2", (await db.Cameras.SingleAsync(c => c.Id == "SKO-2")).Name);
        Assert.Equal(["vasttrafik"], (await db.Cameras.SingleAsync(c => c.Id == "TRF-1")).SharingPartnerIds);
        Assert.Equal(3, await db.CameraChanges.CountAsync(c => c.Kind == CameraChangeKind.Imported));
    }

    [Fact]
    public async Task One_bad_row_imports_nothing_and_every_bad_row_is_named_by_line_and_field()
    {
        var csv = string.Join('\n', Header, SchoolRow("SKO-1"), SchoolRow("SKO-2", retention: "zero"), SchoolRow("SKO-3"),
            SchoolRow("SKO-4", retention: "0"), SchoolRow("SKO-1"));

        var result = await ImportAsync(csv);

        Assert.False(result.Succeeded);
        Assert.Equal(0, await _database.CountCamerasAsync());
        Assert.Contains(result.Errors, e => e is { Line: 3, Field: "retentionDays" } && e.Message.Contains("'zero' is not a whole number", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e is { Line: 5, Field: "retentionDays" } && e.Message.Contains("above zero", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e is { Line: 6, Field: "id" } && e.Message.Contains("first on line 2", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Errors, e => e.Line is 2 or 4);
    }

    [Fact]
    public async Task Existing_camera_id_is_refused_and_nothing_is_added()
    {
        Assert.True((await ImportAsync(string.Join('\n', Header, SchoolRow("SKO-1")))).Succeeded);

        var result = await ImportAsync(string.Join('\n', Header, SchoolRow("SKO-2"), SchoolRow("SKO-1")));

        Assert.Equal(new ImportError(3, "id", "camera 'SKO-1' already exists in the registry"), Assert.Single(result.Errors));
        Assert.Equal(1, await _database.CountCamerasAsync());
    }

    [Fact]
    public async Task Unknown_and_missing_columns_are_named()
    {
        var result = await ImportAsync("id,name,colour\nX,Y,red");

        Assert.Contains(result.Errors, e => e.Field == "colour" && e.Message.StartsWith("unknown column", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Field == "ownerId" && e.Message.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broken_csv_row_is_reported_with_its_line()
    {
        var csv = string.Join('\n', Header, SchoolRow("SKO-1"), "SKO-2,\"unterminated,grundskolenamnden");

        var result = await ImportAsync(csv);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Line >= 3);
        Assert.Equal(0, await _database.CountCamerasAsync());
    }

    [Fact]
    public async Task Row_with_too_few_fields_is_named()
    {
        var result = await ImportAsync(string.Join('\n', Header, "SKO-1,Only a name"));
        Assert.Contains(result.Errors, e => e.Line == 2 && e.Message.Contains("fields", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_format_round_trips_through_import()
    {
        var first = await ImportAsync(string.Join('\n', Header, SchoolRow("SKO-1", "Ängsskolan kamera 1")));
        Assert.True(first.Succeeded);
        var sb = new StringBuilder();
        await using (var db = _database.NewContext())
        {
            using var writer = new StringWriter(sb);
            CameraCsv.Write(writer, await db.Cameras.ToListAsync());
        }

        var (rows, errors) = CameraCsv.Read(new StringReader(sb.ToString()));

        Assert.Empty(errors);
        var row = Assert.Single(rows).Camera;
        Assert.Equal(("SKO-1", "Ängsskolan kamera 1", 14, MaskingKind.FacadeDistance), (row.Id, row.Name, row.RetentionDays, row.Masking.Kind));
        Assert.Equal(new DateOnly(2025, 5, 2), row.LegalBasis.DecidedOn);
    }
}
