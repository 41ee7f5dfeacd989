using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace CameraHub.Tests.Console;

/// <summary>The alarm page in a signed-in browser: a demo camera's scripted motion event reaches the live queue.</summary>
[Collection(ConsoleBrowser.Name)]
public sealed class AlarmPageTests(DemoHub hub)
{
    private const string Garage = "GAR-001-K01";

    [Fact]
    public async Task A_fake_cameras_motion_event_reaches_the_signed_in_owners_queue_within_3_s_with_playback_and_evidence_one_click_away()
    {
        using var admin = await hub.ApiAsAsync("admin");
        (await admin.PutAsJsonAsync($"/api/cameras/{Garage}/event-intake", new { enabled = true })).EnsureSuccessStatusCode();
        var page = await hub.SignInAsync("housing");
        try
        {
            await WaitSubscribedAsync(admin);
            await page.GotoAsync(new Uri(hub.Address, "/#/alarms").ToString());
            await page.WaitForSelectorAsync("#alarm-queue");
            var camera = await admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}");
            var fake = new Uri(new Uri(camera.GetProperty("onvifUrl").GetString()!), "/fake/events/Motion?state=true");
            using var plain = new HttpClient();
            // The owner may already have other alarms (the demo city's permits due for review): count this one on top.
            using var housing = await hub.ApiAsAsync("housing");
            var before = (await housing.GetFromJsonAsync<JsonElement>("/api/alarms?state=New")).GetArrayLength();

            var clock = Stopwatch.StartNew();
            (await plain.PostAsync(fake, null)).EnsureSuccessStatusCode();
            var row = await page.WaitForSelectorAsync("tr[data-kind='camera.Motion'][data-state='New']", new() { Timeout = 3000 });
            var elapsed = clock.Elapsed;

            Assert.NotNull(row);
            Assert.True(elapsed < TimeSpan.FromSeconds(3), $"took {elapsed}");
            Assert.Contains("Motion on GAR-001-K01", await row!.TextContentAsync());
            Assert.Equal((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), await page.TextContentAsync("#alarm-badge"));
            // The garage records only: playback at the event's time and a prefilled evidence request, no live view.
            var playback = await page.WaitForSelectorAsync("tr[data-kind='camera.Motion'] a[data-action=playback]");
            Assert.StartsWith($"#/playback/{Garage}?at=", await playback!.GetAttributeAsync("href"));
            // "Request evidence" is offered exactly when the policy lets this user export from the camera.
            var export = (await housing.GetFromJsonAsync<JsonElement>($"/api/access/rights?camera={Garage}&right=Export"))[0].GetProperty("allowed")
                .EnumerateArray().Any(r => r.GetString() == "Export");
            var evidence = await page.QuerySelectorAsync("tr[data-kind='camera.Motion'] a[data-action=evidence]");
            Assert.Equal(export, evidence is not null);
            if (evidence is not null)
            {
                Assert.Contains($"camera={Garage}", await evidence.GetAttributeAsync("href"));
            }

            Assert.Null(await page.QuerySelectorAsync("tr[data-kind='camera.Motion'] a[data-action=live]"));
            await DemoHub.ScreenshotAsync(page, "alarms");

            await page.ClickAsync("tr[data-kind='camera.Motion'] button[data-action=acknowledge]");
            await page.WaitForSelectorAsync("tr[data-kind='camera.Motion'][data-state='Acknowledged']");
            await page.FillAsync("tr[data-kind='camera.Motion'] input[name=note]", "bevakning på väg");
            await page.ClickAsync("tr[data-kind='camera.Motion'] button[data-action=close]");
            await page.WaitForSelectorAsync("tr[data-kind='camera.Motion']", new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });
            (await plain.PostAsync(new Uri(fake, "?state=false"), null)).EnsureSuccessStatusCode();
        }
        finally
        {
            await page.Context.CloseAsync();
            (await admin.PutAsJsonAsync($"/api/cameras/{Garage}/event-intake", new { enabled = false })).EnsureSuccessStatusCode();
        }
    }

    private static async Task WaitSubscribedAsync(HttpClient admin)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var intake = await admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{Garage}/event-intake");
            if (intake.GetProperty("status") is { ValueKind: JsonValueKind.Object } status && status.GetProperty("state").GetString() == "Subscribed")
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the hub did not subscribe to the garage camera's events");
    }
}
