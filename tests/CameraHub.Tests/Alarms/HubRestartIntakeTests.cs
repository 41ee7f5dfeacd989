using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.Tests.Infrastructure;
using static CameraHub.Tests.Alarms.AlarmApi;

namespace CameraHub.Tests.Alarms;

/// <summary>
/// The hub restarts on the same data directory with a real fake camera's event intake on: the new process subscribes
/// again by itself, nothing received before the restart is stored or raised twice, and new events flow.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HubRestartIntakeTests
{
    private const string Garage = "GAR-T-01";

    [Fact]
    public async Task After_a_hub_restart_the_intake_subscribes_again_with_no_duplicate_events_or_alarms()
    {
        var data = Directory.CreateTempSubdirectory("camerahub-restart-").FullName;
        var settings = new Dictionary<string, string> { ["CameraHub:DataDirectory"] = data, ["CameraHub:Alarms:PullWaitSeconds"] = "2" };
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = Garage, Password = "Garage-Kamera-1", StartRtsp = false });
        var events = camera.Events!;
        try
        {
            await using (var first = new HubFactory(realTime: true, settings: settings))
            {
                await first.SeedOrganisationsAsync();
                await first.CreateUserAsync("admin", HubRoles.Administrator);
                await first.CreateCameraAsync(SampleCameras.PermitGarage() with
                {
                    OnvifUrl = camera.DeviceServiceUri.ToString(),
                    Username = "admin",
                    Password = "Garage-Kamera-1",
                });
                var admin = await first.SignInAsAsync("admin");
                using (var on = await admin.PutAsJsonAsync($"/api/cameras/{Garage}/event-intake", new { enabled = true }))
                {
                    Assert.Equal(HttpStatusCode.OK, on.StatusCode);
                }

                Assert.True(await EventuallyAsync(() => Task.FromResult(events.Subscriptions == 1), TimeSpan.FromSeconds(10)), "the first hub did not subscribe");
                events.Emit(FakeEvent.DigitalInput, true);
                Assert.True(await EventuallyAsync(async () => (await AlarmsAsync(admin)).Count == 1, TimeSpan.FromSeconds(5)), "no alarm for the input");
            }

            // The stopped hub gave its subscription back; the camera keeps its state (the input is still on).
            Assert.True(await EventuallyAsync(() => Task.FromResult(events.Subscriptions == 0), TimeSpan.FromSeconds(5)), "the stopped hub left its subscription");

            await using var second = new HubFactory(realTime: true, settings: settings);
            var again = await second.SignInAsAsync("admin");
            Assert.True(await EventuallyAsync(() => Task.FromResult(events.Created == 2 && events.Subscriptions == 1), TimeSpan.FromSeconds(15)),
                "the restarted hub did not subscribe by itself");
            events.Emit(FakeEvent.Motion, true);
            Assert.True(await EventuallyAsync(async () => (await AlarmsAsync(again)).Count == 2, TimeSpan.FromSeconds(5)), "no alarm for motion after the restart");

            // One alarm each; the input's change is stored once (its repeat after subscribing is an Initialized state).
            var alarms = await AlarmsAsync(again);
            Assert.Single(alarms, a => a.GetProperty("kind").GetString() == "camera.DigitalInput");
            Assert.Single(alarms, a => a.GetProperty("kind").GetString() == "camera.Motion");
            var stored = (await again.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/events")).EnumerateArray().ToList();
            Assert.Single(stored, e => e.GetProperty("category").GetString() == "DigitalInput" && e.GetProperty("operation").GetString() == "Changed");
            Assert.Single(stored, e => e.GetProperty("category").GetString() == "Motion" && e.GetProperty("operation").GetString() == "Changed");
            var intake = await again.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/event-intake");
            Assert.Equal("Subscribed", intake.GetProperty("status").GetProperty("state").GetString());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
