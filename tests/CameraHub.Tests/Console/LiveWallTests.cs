using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Shared;
using Microsoft.Playwright;

namespace CameraHub.Tests.Console;

/// <summary>The live wall in Chromium against the demo hub's simulated cameras and a camera the test can switch off.</summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class LiveWallTests(DemoHub hub)
{
    [Fact]
    public async Task A_traffic_operator_sees_a_live_camera_play_and_has_no_way_into_school_footage()
    {
        var page = await hub.SignInAsync("traffic");
        try
        {
            await page.ClickAsync("nav#nav a[data-nav=wall]");
            await page.WaitForSelectorAsync("#wall-picker button[data-camera=TRF-001]");
            var offered = await page.EvalOnSelectorAllAsync<string[]>("#wall-picker button", "bs => bs.map(b => b.dataset.camera)");
            Assert.Contains("TEK-001", offered);
            Assert.Contains("TRF-004", offered); // the demo camera with privacy polygons, masked on the wall
            Assert.DoesNotContain(offered, id => id.StartsWith("SKO", StringComparison.Ordinal) || id.StartsWith("GAR", StringComparison.Ordinal));

            await page.ClickAsync("#wall-picker button[data-camera=TRF-001]");
            await page.ClickAsync("#wall-picker button[data-camera=TRF-002]");
            await page.WaitForSelectorAsync(".tile[data-camera=TRF-001][data-state=live]", new() { Timeout = 30_000 });
            await VideoPlayback.AssertKeepsPlayingAsync(page, ".tile[data-camera=\"TRF-001\"] video", "TRF-001");
            Assert.True(await page.EvalOnSelectorAsync<int>(".tile[data-camera=TRF-001] video", "v => v.videoWidth") > 0);
            await page.WaitForSelectorAsync(".tile[data-camera=TRF-001] .viewers:not(:empty)");
            Assert.Contains("layout=4", page.Url);
            Assert.Contains("cameras=TRF-001,TRF-002", page.Url);
            await page.WaitForSelectorAsync(".tile[data-camera=TRF-002][data-state=live]", new() { Timeout = 30_000 });
            await DemoHub.ScreenshotAsync(page, "live-wall");

            // No way in: the school camera is not in the registry list, its page is "not found", and the API refuses.
            await page.GotoAsync(new Uri(hub.Address, "/#/cameras?q=SKO-001").ToString());
            await page.WaitForSelectorAsync("#camera-table");
            Assert.Empty(await page.QuerySelectorAllAsync("#camera-table tr[data-camera^=SKO]"));
            await page.GotoAsync(new Uri(hub.Address, "/#/cameras/SKO-001-K01").ToString());
            await page.WaitForSelectorAsync("main .problem");
            var status = await page.EvaluateAsync<int>("async () => (await fetch('/api/cameras/SKO-001-K01/live', { method: 'POST' })).status");
            Assert.True(status is 403 or 409, $"opening a school camera live answered {status}");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_tile_recovers_when_its_camera_returns_and_closes_with_a_message_when_access_is_revoked()
    {
        await using var camera = await RtspCamera.StartAsync("wall", fps: 10);
        using var admin = await hub.ApiAsAsync("admin");
        var id = $"TRF-W{Random.Shared.Next(100, 999)}";
        using (var created = await admin.PostAsJsonAsync("/api/cameras", SampleCameras.Traffic(id) with { RtspUrl = camera.Url }, Infrastructure.HubFactory.Json))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var user = await admin.PostAsJsonAsync("/api/users", new { userName = "nightwatch", password = DemoHub.Password, role = "CareOperator", displayName = "Nattvakt" }))
        {
            Assert.True(user.IsSuccessStatusCode, await user.Content.ReadAsStringAsync());
        }

        using var granted = await admin.PostAsJsonAsync("/api/grants", new { subjectKind = "User", subject = "nightwatch", scopeKind = "Camera", scope = id, rights = "Live", reason = "Nattbevakning av trafikplats" }, Infrastructure.HubFactory.Json);
        Assert.True(granted.IsSuccessStatusCode, await granted.Content.ReadAsStringAsync());
        var grantId = (await granted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var page = await hub.SignInAsync("nightwatch");
        try
        {
            await page.GotoAsync(new Uri(hub.Address, $"/#/wall?layout=1&cameras={id}").ToString());
            var tile = $".tile[data-camera={id}]";
            await page.WaitForSelectorAsync($"{tile}[data-state=live]", new() { Timeout = 30_000 });

            await camera.StopAsync();
            await page.WaitForSelectorAsync($"{tile}[data-state=offline]", new() { Timeout = 30_000 });
            Assert.Contains("offline", await page.TextContentAsync($"{tile} .message"));

            await camera.StartServerAsync();
            await page.WaitForSelectorAsync($"{tile}[data-state=live]", new() { Timeout = 60_000 });
            var before = await page.EvalOnSelectorAsync<double>($"{tile} video", "v => v.currentTime");
            await page.WaitForFunctionAsync($"() => document.querySelector('{tile} video').currentTime > {before.ToString(System.Globalization.CultureInfo.InvariantCulture)} + 1", null, new() { Timeout = 30_000 });

            using (var revoked = await admin.DeleteAsync($"/api/grants/{grantId}"))
            {
                Assert.True(revoked.IsSuccessStatusCode);
            }

            await page.WaitForSelectorAsync($"{tile}[data-state=closed]", new() { Timeout = 10_000 });
            Assert.Contains("Access revoked", await page.TextContentAsync($"{tile} .message"));
            // Closed means closed: the tile does not quietly reconnect.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal("closed", await page.GetAttributeAsync(tile, "data-state"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
