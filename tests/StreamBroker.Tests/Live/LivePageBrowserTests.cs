using CameraHub.Tests.Shared;
using Microsoft.Playwright;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>The live page in Debian's Chromium (never a downloaded browser) playing a camera through MSE.</summary>
[Trait("Category", "Integration")]
public sealed class LivePageBrowserTests
{
    [Fact]
    public async Task Live_page_plays_the_camera_and_its_video_time_advances()
    {
        Assert.True(File.Exists(Chromium.ExecutablePath), "Debian's chromium is missing: run scripts/setup.sh");
        await using var camera = await RtspCamera.StartAsync(fps: 15);
        var id = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync();
        broker.AddWatchableCamera(id, camera.Url);
        var session = await broker.OpenSessionAsync("traffic", id);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium.ExecutablePath, Headless = true, Args = Chromium.Arguments });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(broker.Address, $"/live.html?ws={Uri.EscapeDataString(session.WebSocketUrl)}").ToString());

        await VideoPlayback.AssertKeepsPlayingAsync(page, "video", id);
        Assert.Equal("live", await page.TextContentAsync("#status"));
        Assert.Equal(320, await page.EvaluateAsync<int>("document.querySelector('video').videoWidth"));
    }
}
