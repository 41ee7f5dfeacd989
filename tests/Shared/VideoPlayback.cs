using System.Globalization;
using Microsoft.Playwright;

namespace CameraHub.Tests.Shared;

/// <summary>What "the video plays" means in the browser tests: its clock keeps advancing, whatever this machine's load.</summary>
public static class VideoPlayback
{
    /// <summary>
    /// Waits for the video to start, then for two more seconds of video to play. A frozen or stalled stream fails;
    /// a slow one does not, because the shared CI machine can fall behind real time without anything being wrong.
    /// </summary>
    public static async Task AssertKeepsPlayingAsync(IPage page, string videoSelector, string what)
    {
        var clock = $"document.querySelector('{videoSelector}').currentTime";
        await page.WaitForFunctionAsync($"() => {clock} > 0.5", null, new() { Timeout = 30_000 });
        var first = await page.EvaluateAsync<double>(clock);
        try
        {
            var target = (first + 2).ToString(CultureInfo.InvariantCulture);
            await page.WaitForFunctionAsync($"() => {clock} >= {target}", null, new() { Timeout = 20_000 });
        }
        catch (TimeoutException)
        {
            var later = await page.EvaluateAsync<double>(clock);
            Assert.Fail($"{what}'s video went from {first:F2} s to only {later:F2} s in 20 s");
        }
    }
}
