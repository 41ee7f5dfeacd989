using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using CameraHub.CameraRegistry;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Onvif;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>POST /api/cameras/{id}/probe and GET /api/onvif/discovery on a real registry (SQLite, real migrations).</summary>
[Trait("Category", "Integration")]
[Collection(SharedSimulator.Name)]
public sealed class ProbeEndpointTests(SimulatorFixture simulator) : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("camerahub-probe-").FullName;
    private readonly RecordingAuditLog _audit = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["CameraHub:Onvif:DiscoveryWaitSeconds"] = "1";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCameraRegistry(builder.Configuration, HubDatabase.Sqlite($"Data Source={Path.Combine(_folder, "registry.db")}"));
        builder.Services.AddOnvif(builder.Configuration);
        builder.Services.AddSingleton<IAuditLog>(_audit);
        builder.Services.AddProblemDetails();
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // Probing needs the manage right; these tests act as an administrator (sign-in is tested in CameraHub.Tests).
        builder.Services.AddAuthentication(CameraHub.Tests.Shared.AdministratorAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, CameraHub.Tests.Shared.AdministratorAuthentication>(CameraHub.Tests.Shared.AdministratorAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapOnvifEndpoints();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };

        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        await db.Database.MigrateAsync();
        db.Organisations.Add(new Organisation { Id = "trafikkontoret", Name = "Stadsmiljöförvaltningen" });
        await db.SaveChangesAsync();
        await using (var access = await scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CameraHub.CameraRegistry.Persistence.AccessDbContext>>().CreateDbContextAsync())
        {
            await access.Database.MigrateAsync();
        }

        await scope.ServiceProvider.GetRequiredService<CameraHub.CameraRegistry.Identity.UserAccounts>()
            .CreateAsync("admin", "Probe-Tests-2026", CameraHub.CameraRegistry.Identity.HubRoles.Administrator, null, null, "test", default);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Probe_fills_vendor_model_firmware_profiles_stream_snapshot_and_clock_skew_and_is_audited()
    {
        await AddCameraAsync("TRF-101", simulator.Camera.DeviceServiceUri.ToString(), simulator.Camera.Options.Password);

        using var response = await _http.PostAsync("/api/cameras/TRF-101/probe", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var camera = json.RootElement.GetProperty("camera");
        Assert.Equal("CameraHub", camera.GetProperty("vendor").GetString());
        Assert.Equal("FakeCam 1", camera.GetProperty("model").GetString());
        Assert.Equal("1.2.3", camera.GetProperty("firmware").GetString());
        Assert.Equal(simulator.Camera.RtspUri!.ToString(), camera.GetProperty("rtspUrl").GetString());
        Assert.EndsWith("/snapshot.jpg", camera.GetProperty("snapshotUrl").GetString());
        Assert.InRange(camera.GetProperty("clockSkewSeconds").GetDouble(), -2, 2);
        var profile = Assert.Single(camera.GetProperty("onvifProfiles").EnumerateArray());
        Assert.Equal(("H264", 640, 360), (profile.GetProperty("encoding").GetString(), profile.GetProperty("width").GetInt32(), profile.GetProperty("height").GetInt32()));

        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var stored = await db.Cameras.AsNoTracking().SingleAsync(c => c.Id == "TRF-101");
        Assert.NotNull(stored.LastProbedAtUtc);
        Assert.Contains(await db.CameraChanges.Where(c => c.CameraId == "TRF-101").Select(c => c.Kind).ToListAsync(), k => k == CameraChangeKind.Probed);
        var audited = Assert.Single(_audit.Events, e => e.CameraId == "TRF-101");
        Assert.Equal(AuditAction.CameraProbed, audited.Action);
        Assert.Contains("CameraHub FakeCam 1", audited.Details);
    }

    [Fact]
    public async Task A_wrong_stored_password_answers_502_with_the_cameras_refusal_and_is_audited()
    {
        await AddCameraAsync("TRF-102", simulator.Camera.DeviceServiceUri.ToString(), "inte-rätt");

        using var response = await _http.PostAsync("/api/cameras/TRF-102/probe", null);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The camera refused the credentials.", problem.GetProperty("title").GetString());
        Assert.Contains("wrong username or password", problem.GetProperty("detail").GetString());
        Assert.Contains(_audit.Events, e => e.CameraId == "TRF-102" && e.Details!.StartsWith("probe failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plain_rtsp_camera_cannot_be_probed_and_is_told_why()
    {
        await AddCameraAsync("TRF-103", onvifUrl: null, password: null);

        using var response = await _http.PostAsync("/api/cameras/TRF-103/probe", null);
        using var missing = await _http.PostAsync("/api/cameras/NO-SUCH/probe", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("no ONVIF address", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Discovery_lists_only_devices_that_are_not_in_the_registry()
    {
        await using var newcomer = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = "NEW-1", Name = "Ny kamera", StartRtsp = false });
        await AddCameraAsync("TRF-104", simulator.Camera.DeviceServiceUri.ToString(), simulator.Camera.Options.Password);

        var registered = await _http.GetFromJsonAsync<JsonElement>($"/api/onvif/discovery?target={simulator.Camera.DiscoveryEndpoint}");
        var unregistered = await _http.GetFromJsonAsync<JsonElement>($"/api/onvif/discovery?target={newcomer.DiscoveryEndpoint}");
        using var nowhere = await _http.GetAsync("/api/onvif/discovery");

        Assert.Empty(registered.EnumerateArray());
        var device = Assert.Single(unregistered.EnumerateArray());
        Assert.Equal("Ny kamera", device.GetProperty("name").GetString());
        Assert.Equal(newcomer.DeviceServiceUri.ToString(), device.GetProperty("xAddrs")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, nowhere.StatusCode);
    }

    private async Task AddCameraAsync(string id, string? onvifUrl, string? password)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<CredentialProtector>();
        db.Cameras.Add(new Camera
        {
            Id = id,
            Name = $"Kamera {id}",
            OwnerId = "trafikkontoret",
            Category = CameraCategory.Traffic,
            Mode = CameraMode.LiveOnly,
            OnvifUrl = onvifUrl,
            RtspUrl = onvifUrl is null ? "rtsp://127.0.0.1:8554/plain" : null,
            Username = password is null ? null : "admin",
            ProtectedPassword = password is null ? null : protector.Protect(password),
        });
        await db.SaveChangesAsync();
    }

    /// <summary>An in-memory IAuditLog: the real, hash-chained one lives in the registry.</summary>
    private sealed class RecordingAuditLog : IAuditLog
    {
        private readonly ConcurrentQueue<AuditEvent> _events = new();

        public IReadOnlyCollection<AuditEvent> Events => _events;

        public Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken ct)
        {
            _events.Enqueue(auditEvent);
            return Task.FromResult((long)_events.Count);
        }
    }
}
