using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.Tests.Infrastructure;

namespace CameraHub.Tests.Onvif;

/// <summary>The probe route through the whole hub: sign-in, a registry camera, a fake camera on 127.0.0.1, the real audit log.</summary>
[Trait("Category", "Integration")]
public sealed class OnvifProbeThroughHubTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();
    private SimulatedCamera _camera = null!;

    public async Task InitializeAsync()
    {
        _camera = await SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = "TRF-T-01",
            Model = "FakeCam Tunnel",
            Password = "Tunnel-Kamera-1",
            StartRtsp = false,
        });
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateCameraAsync(SampleCameras.Traffic() with
        {
            OnvifUrl = _camera.DeviceServiceUri.ToString(),
            Username = "admin",
            Password = "Tunnel-Kamera-1",
        });
    }

    public async Task DisposeAsync()
    {
        await _camera.DisposeAsync();
        await _hub.DisposeAsync();
    }

    [Fact]
    public async Task An_administrator_probes_a_camera_and_the_probe_is_in_the_audit_log()
    {
        var admin = await _hub.SignInAsAsync("admin");

        using var response = await admin.PostAsync("/api/cameras/TRF-T-01/probe", null);
        var camera = await admin.GetFromJsonAsync<JsonElement>("/api/cameras/TRF-T-01");
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?camera=TRF-T-01&action=CameraProbed");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CameraHub", camera.GetProperty("vendor").GetString());
        Assert.Equal("FakeCam Tunnel", camera.GetProperty("model").GetString());
        Assert.Equal("H264", camera.GetProperty("onvifProfiles")[0].GetProperty("encoding").GetString());
        // The hub runs on a fake clock (24 November 12:00); the camera on the real one: the skew is their difference,
        // and the camera still accepted tokens dated in its own time.
        var expected = (DateTimeOffset.UtcNow - _hub.Time.GetUtcNow()).TotalSeconds;
        Assert.InRange(camera.GetProperty("clockSkewSeconds").GetDouble(), expected - 5, expected + 5);
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Nobody_probes_without_signing_in()
    {
        using var anonymous = _hub.CreateClient();

        using var response = await anonymous.PostAsync("/api/cameras/TRF-T-01/probe", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
