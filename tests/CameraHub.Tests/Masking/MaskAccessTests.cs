using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Tests.Infrastructure;

namespace CameraHub.Tests.Masking;

public class MaskAccessTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("schools", HubRoles.CameraOwner, "grundskolenamnden");
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.CreateCameraAsync(SampleCameras.School("SKO-T-01"));
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Owner_and_dpo_may_look_at_a_school_cameras_mask_and_a_traffic_operator_may_not()
    {
        var traffic = await _hub.SignInAsAsync("traffic");
        Assert.Equal(HttpStatusCode.Forbidden, (await traffic.GetAsync("/api/cameras/SKO-T-01/mask.png")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await traffic.GetAsync("/api/cameras/SKO-T-01/calibration")).StatusCode);

        foreach (var user in new[] { "schools", "dpo" })
        {
            var client = await _hub.SignInAsAsync(user);
            var status = (await client.GetAsync("/api/cameras/SKO-T-01/calibration")).StatusCode;
            Assert.NotEqual(HttpStatusCode.Forbidden, status);
            Assert.NotEqual(HttpStatusCode.Unauthorized, status);
        }

        var dpo = await _hub.SignInAsAsync("dpo");
        var denied = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?actor=traffic&action=AccessDenied");
        Assert.Equal(2, denied.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Only_someone_who_manages_the_camera_may_change_its_calibration()
    {
        var dpo = await _hub.SignInAsAsync("dpo");
        var response = await dpo.PutAsJsonAsync("/api/cameras/SKO-T-01/calibration", new { });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
