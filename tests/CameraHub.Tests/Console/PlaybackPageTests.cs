using Microsoft.Playwright;

namespace CameraHub.Tests.Console;

/// <summary>Playback in Chromium: the day's timeline shows the garage camera's recordings; a click plays from there.</summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class PlaybackPageTests(DemoHub hub)
{
    [Fact]
    public async Task The_owner_sees_the_recordings_on_a_timeline_and_plays_from_a_click()
    {
        await hub.RecordedSegmentsAsync("housing", "GAR-001-K01", count: 2);
        var page = await hub.SignInAsync("housing");
        try
        {
            await page.ClickAsync("nav#nav a[data-nav=playback]");
            await page.SelectOptionAsync("#playback-camera", "GAR-001-K01");
            await page.WaitForSelectorAsync("#timeline");
            await page.WaitForFunctionAsync("() => /^[1-9]/.test(document.querySelector('#timeline-summary').textContent)");

            // A few seconds of recording: the view zooms in to ten minutes so the segments are visible.
            Assert.Equal("600000", await page.GetAttributeAsync("#timeline", "data-view-span"));
            // Click just before the first recording: playback starts at the first segment after that moment.
            var x = await page.EvaluateAsync<double>(@"async () => {
                const r = await (await fetch('/api/cameras/GAR-001-K01/recordings')).json();
                const start = new Date(r.segments[0].start);
                const canvas = document.querySelector('#timeline');
                const viewStart = new Date(canvas.dataset.viewStart), span = Number(canvas.dataset.viewSpan);
                const c = canvas.getBoundingClientRect();
                return c.left + ((start - viewStart) / span) * c.width - 3;
            }");
            var box = (await page.QuerySelectorAsync("#timeline"))!;
            var bounds = (await box.BoundingBoxAsync())!;
            await page.Mouse.ClickAsync((float)x, bounds.Y + (bounds.Height / 2));
            await page.WaitForFunctionAsync("() => document.querySelector('.player video').currentTime > 1", null, new() { Timeout = 30_000 });
            Assert.NotEqual("–", await page.TextContentAsync("#playback-position"));
            await DemoHub.ScreenshotAsync(page, "playback");
            Assert.True(await page.EvalOnSelectorAsync<int>(".player video", "v => v.videoWidth") > 0);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
