using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        var id = await hub.LiftableCameraAsync("TRF-L", camera.Url, ("traffic", "Live, Unmask"), ("admin", "Unmask"));
        using var admin = await hub.ApiAsAsync("admin");
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
