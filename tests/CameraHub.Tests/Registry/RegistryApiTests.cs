using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Tests.Infrastructure;

namespace CameraHub.Tests.Registry;

public class RegistryApiTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("schools", HubRoles.CameraOwner, "grundskolenamnden");
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Health_reports_each_component()
    {
        var health = await _hub.CreateClient().GetFromJsonAsync<JsonElement>("/healthz");
        var components = health.GetProperty("components");
        Assert.Equal("Healthy", components.GetProperty("database").GetProperty("status").GetString());
        Assert.True(components.TryGetProperty("ffmpeg", out _));
        Assert.True(components.TryGetProperty("storage", out _));
    }

    [Fact]
    public async Task OpenApi_document_describes_the_public_routes()
    {
        var doc = await _hub.CreateClient().GetStringAsync("/openapi/v1.json");
        foreach (var route in new[] { "/api/cameras", "/api/cameras/import", "/api/reports/inventory", "/api/reports/register", "/api/reports/costs", "/api/grants", "/api/audit", "/api/audit/verify", "/api/auth/token", "/api/organisations" })
        {
            Assert.Contains($"\"{route}\"", doc, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_api_route_refuses_an_anonymous_caller()
    {
        var client = _hub.CreateClient();
        foreach (var path in new[] { "/api/cameras", "/api/organisations", "/api/reports/inventory", "/api/grants", "/api/audit", "/api/audit/verify", "/api/users" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task Invalid_camera_is_refused_as_problem_json_naming_every_rule_and_nothing_is_written()
    {
        var client = await _hub.SignInAsAsync("schools");
        var response = await client.PostAsJsonAsync("/api/cameras", SampleCameras.School() with { RetentionDays = 0, AllowedHours = "always", Masking = new() }, HubFactory.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("retentionDays", out _));
        Assert.True(errors.TryGetProperty("allowedHours", out _));
        Assert.True(errors.TryGetProperty("masking.kind", out _));
        Assert.Contains("nothing was written", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        var list = await client.GetFromJsonAsync<JsonElement>("/api/cameras");
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Owner_creates_reads_and_updates_own_camera_but_never_sees_its_password()
    {
        var client = await _hub.SignInAsAsync("schools");
        var created = await client.PostAsJsonAsync("/api/cameras", SampleCameras.School() with { Password = "cam-secret-1" }, HubFactory.Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain("cam-secret-1", body, StringComparison.Ordinal);
        Assert.Contains("\"hasPassword\":true", body, StringComparison.Ordinal);

        var updated = await client.PutAsJsonAsync("/api/cameras/SKO-T-01", SampleCameras.School() with { Name = "Nytt namn" }, HubFactory.Json);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var history = await client.GetStringAsync("/api/cameras/SKO-T-01/history");
        Assert.Contains("Nytt namn", history, StringComparison.Ordinal);
        Assert.DoesNotContain("cam-secret-1", history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Owner_cannot_register_cameras_for_another_owner_and_the_denial_is_audited()
    {
        var client = await _hub.SignInAsAsync("schools");
        var response = await client.PostAsJsonAsync("/api/cameras", SampleCameras.Traffic(), HubFactory.Json);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        var admin = await _hub.SignInAsAsync("admin");
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?actor=schools&action=AccessDenied");
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
        Assert.Contains("stadsmiljonamnden", audit.GetProperty("items")[0].GetProperty("details").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_with_bad_rows_is_refused_whole_with_line_numbers()
    {
        var admin = await _hub.SignInAsAsync("admin");
        const string csv = """
            id,name,ownerId,category,mode,status,rtspUrl,legalBasisKind,legalBasisReference,legalBasisDecidedOn,legalBasisDecidedBy,legalBasisWeighing,gdprArticle,purpose,allowedHours,retentionDays
            TRF-A,Trafikkamera Älvsborgsbron,stadsmiljonamnden,Traffic,LiveOnly,Active,rtsp://127.0.0.1/a,BalancingOfInterests,SMN 1,2025-04-15,Stadsmiljönämnden,Trafik,6(1)(e),Trafik,always,
            TRF-B,Trafikkamera B,stadsmiljonamnden,Traffic,LiveOnly,Active,rtsp://127.0.0.1/b,BalancingOfInterests,SMN 1,2025-04-15,Stadsmiljönämnden,Trafik,6(1)(e),Trafik,always,7
            TRF-C,Trafikkamera C,nobody,Traffic,LiveOnly,Active,rtsp://127.0.0.1/c,BalancingOfInterests,SMN 1,2025-04-15,Stadsmiljönämnden,Trafik,6(1)(e),Trafik,always,
            """;

        var response = await admin.PostAsync("/api/cameras/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var rows = problem.GetProperty("rowErrors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Contains((3, "retentionDays"), rows);
        Assert.Contains((4, "ownerId"), rows);
        Assert.DoesNotContain(rows, r => r.Item1 == 2);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/api/cameras")).GetProperty("total").GetInt32());

        var fixedCsv = csv.Replace("always,7", "always,", StringComparison.Ordinal).Replace(",nobody,", ",stadsmiljonamnden,", StringComparison.Ordinal);
        var ok = await admin.PostAsync("/api/cameras/import", new StringContent(fixedCsv, Encoding.UTF8, "text/csv"));
        Assert.Equal(3, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("imported").GetInt32());
        var camera = await admin.GetFromJsonAsync<JsonElement>("/api/cameras/TRF-A");
        Assert.Equal("Trafikkamera Älvsborgsbron", camera.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Camera_list_filters_and_hides_cameras_a_user_has_no_business_with()
    {
        await _hub.CreateCameraAsync(SampleCameras.School("SKO-1"));
        await _hub.CreateCameraAsync(SampleCameras.School("SKO-2"));
        await _hub.CreateCameraAsync(SampleCameras.Traffic("TRF-1"));
        var admin = await _hub.SignInAsAsync("admin");
        var schools = await _hub.SignInAsAsync("schools");

        Assert.Equal(3, (await admin.GetFromJsonAsync<JsonElement>("/api/cameras")).GetProperty("total").GetInt32());
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("/api/cameras?category=School&mode=RecordedOnly&status=Active")).GetProperty("total").GetInt32());
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("/api/cameras?owner=stadsmiljonamnden")).GetProperty("total").GetInt32());
        Assert.Equal(["SKO-1", "SKO-2"], (await schools.GetFromJsonAsync<JsonElement>("/api/cameras")).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await schools.GetAsync("/api/cameras/TRF-1")).StatusCode);
    }

    [Fact]
    public async Task Decommissioned_camera_stays_in_the_legal_register_as_ended()
    {
        await _hub.CreateCameraAsync(SampleCameras.School("SKO-1"));
        await _hub.CreateCameraAsync(SampleCameras.School("SKO-2"));
        _hub.Time.Advance(TimeSpan.FromDays(10));
        var schools = await _hub.SignInAsAsync("schools");
        Assert.Equal(HttpStatusCode.OK, (await schools.DeleteAsync("/api/cameras/SKO-2")).StatusCode);

        var register = await schools.GetFromJsonAsync<JsonElement>("/api/reports/register");
        var owner = register.GetProperty("owners")[0];
        Assert.Equal("SKO-1", owner.GetProperty("ongoing")[0].GetProperty("cameraId").GetString());
        Assert.Equal("SKO-2", owner.GetProperty("ended")[0].GetProperty("cameraId").GetString());
        var csv = await schools.GetStringAsync("/api/reports/register?format=csv");
        Assert.StartsWith("OwnerId,OwnerName,State,CameraId", csv, StringComparison.Ordinal);
        Assert.Contains("ended,SKO-2", csv, StringComparison.Ordinal);
    }
}
