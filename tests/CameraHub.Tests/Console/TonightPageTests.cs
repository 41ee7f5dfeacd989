using CameraHub.Tests.Shared;

namespace CameraHub.Tests.Console;

/// <summary>The care operator's "Tonight" page in Chromium against the demo hub (TRY-001 has a simulated camera and a visit every half hour).</summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class TonightPageTests(DemoHub hub)
{
    [Fact]
    public async Task A_care_operator_sees_tonights_visits_performs_one_records_the_outcome_and_the_report_counts_it()
    {
        var page = await hub.SignInAsync("care");
        try
        {
            await page.ClickAsync("nav#nav a[data-nav=tonight]");
            var look = "#care-visits tr[data-camera=TRY-001][data-state=Planned] button[data-look]";
            await page.WaitForSelectorAsync(look, new() { Timeout = 30_000 });
            // Every visit of the night the hub has planned is listed (how many depends on the hour the demo hub started:
            // visits are planned from then on, so the test compares with the API instead of a fixed number).
            var planned = await page.EvaluateAsync<int>("async () => (await (await fetch('/api/care/visits')).json()).visits.length");
            Assert.True(planned > 0, "the night has planned visits");
            Assert.Equal(planned, await page.Locator("#care-visits tbody tr").CountAsync());
            var visit = await page.GetAttributeAsync(look, "data-look");
            var doneBefore = await DoneAsync(page);

            await page.ClickAsync(look);
            await page.WaitForSelectorAsync("#care-look:not([hidden]) #care-countdown:not(:empty)");
            Assert.Matches(@"^[0-3]:\d\d$", await page.TextContentAsync("#care-countdown"));
            await VideoPlayback.AssertKeepsPlayingAsync(page, "#care-video", "TRY-001");
            await DemoHub.ScreenshotAsync(page, "care-tonight");

            await page.ClickAsync("#care-look button[data-outcome=ok]");
            await page.WaitForSelectorAsync($"#care-visits tr[data-visit=\"{visit}\"][data-state=Done]");
            Assert.Contains("OK", await page.TextContentAsync($"#care-visits tr[data-visit=\"{visit}\"] td[data-column=state]"));
            Assert.True(await page.IsHiddenAsync("#care-look"));
            Assert.Equal(doneBefore + 1, await DoneAsync(page));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>This month's done visits of TRY-001's unit in the page's report table.</summary>
    private static async Task<int> DoneAsync(Microsoft.Playwright.IPage page)
    {
        var cells = await page.Locator("#care-report tr[data-unit=\"Trygghetsjouren Nordost\"] td").AllTextContentsAsync();
        return int.Parse(cells[2].Replace("\u00a0", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
    }
}
