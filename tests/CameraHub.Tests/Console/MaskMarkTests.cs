using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.StreamBroker.Tests.Live;

namespace CameraHub.Tests.Console;

/// <summary>The wall marks a masked picture, and shows a clear UNMASKED banner with a countdown while a mask lift is in force.</summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class MaskMarkTests(DemoHub hub)
{
    [Fact]
    public async Task A_masked_tile_carries_the_mask_mark_and_a_lifted_one_the_unmasked_banner()
    {
        await using var camera = await RtspCamera.StartAsync("lift", fps: 10);
        using var admin = await hub.ApiAsAsync("admin");
        var id = $"TRF-L{Random.Shared.Next(100, 999)}";
        var masking = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [100, 0], [100, 100], [0, 100]]], Liftable = true };
        using (var created = await admin.PostAsJsonAsync("/api/cameras", SampleCameras.Traffic(id) with { RtspUrl = camera.Url, Masking = masking }, Infrastructure.HubFactory.Json))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        foreach (var (subject, rights) in new[] { ("traffic", "Live, Unmask"), ("admin", "Unmask") })
        {
            using var granted = await admin.PostAsJsonAsync("/api/grants", new { subjectKind = "User", subject, scopeKind = "Camera", scope = id, rights, reason = "Ärende 5000-K9-26" }, Infrastructure.HubFactory.Json);
            Assert.True(granted.IsSuccessStatusCode, await granted.Content.ReadAsStringAsync());
        }

        var page = await hub.SignInAsync("traffic");
        try
        {
            await page.GotoAsync(new Uri(hub.Address, $"/#/wall?layout=1&cameras={id}").ToString());
            await page.WaitForSelectorAsync($".tile[data-camera={id}] .mask-mark", new() { Timeout = 30_000 });

            using var traffic = await hub.ApiAsAsync("traffic");
            using var requested = await traffic.PostAsJsonAsync($"/api/cameras/{id}/mask-lifts", new { reason = "Rån på torget", live = true, minutes = 10 });
            Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
            var lift = (await requested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/mask-lifts/{lift}/approve", null)).StatusCode);

            await page.ReloadAsync();
            var banner = await page.WaitForSelectorAsync($".tile[data-camera={id}] .unmasked-banner", new() { Timeout = 30_000 });
            Assert.Contains("UNMASKED", await banner!.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Matches(@"\b(10:00|9:[0-5]\d)\b", await banner.InnerTextAsync()); // the countdown of the ten-minute lift
            Assert.Null(await page.QuerySelectorAsync($".tile[data-camera={id}] .mask-mark"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
