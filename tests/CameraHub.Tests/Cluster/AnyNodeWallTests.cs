using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Issue #17 in the console: a wall tile served by node A plays a camera node B holds; when the camera moves to A and
/// the cluster says so over SignalR (<c>cameraOwnerChanged</c> to the camera's group), the tile opens a new session and
/// plays again from the new owner without a page reload.
/// </summary>
[Trait("Category", "Browser")]
[Trait("Database", "PostgreSql")]
[Collection(TwoNodesShared.Name)]
public sealed class AnyNodeWallTests(TwoNodes nodes)
{
    [Fact]
    public async Task A_tile_follows_its_camera_to_the_new_owner_without_a_reload()
    {
        using var playwright = await Playwright.CreateAsync();
        // Node B listens on 127.0.0.2, which the shared arguments resolve to nothing: let the browser reach it.
        string[] arguments = [.. Chromium.Arguments.Select(a => a.StartsWith("--host-resolver-rules=", StringComparison.Ordinal) ? a + ", EXCLUDE 127.0.0.2" : a)];
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium.ExecutablePath, Headless = true, Args = arguments });
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{nodes.A.BaseAddress}?lang=en");
        await page.FillAsync("#signin input[name=username]", "traffic");
        await page.FillAsync("#signin input[name=password]", HubFactory.Password);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("header#top:not([hidden])");

        await page.GotoAsync($"{nodes.A.BaseAddress}#/wall?layout=1&cameras={TwoNodes.Moving}");
        var tile = $".tile[data-camera=\"{TwoNodes.Moving}\"]";
        await LiveAsync(page, tile);
        await VideoPlayback.AssertKeepsPlayingAsync(page, $"{tile} video", "the tile on B");
        Assert.NotNull(nodes.B.Services.GetRequiredService<PathManager>().Find(TwoNodes.Moving));
        Assert.Null(nodes.A.Services.GetRequiredService<PathManager>().Find(TwoNodes.Moving));
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        // The camera moves to A: the cluster's owner table says so, and A tells the camera's followers.
        nodes.Pins.Pin(TwoNodes.Moving, "A");
        var owner = new CameraOwner(TwoNodes.Moving, "A", nodes.A.BaseAddress.AbsoluteUri.TrimEnd('/'), 2, true);
        var hub = nodes.A.Services.GetRequiredService<IHubContext<CameraEventsHub>>();
        await hub.Clients.Group(CameraEventsHub.GroupOf(TwoNodes.Moving)).SendAsync("CameraOwnerChanged", new { cameraId = TwoNodes.Moving, node = owner.Node, publicUrl = owner.PublicUrl });

        Assert.True(await Alarms.AlarmApi.EventuallyAsync(
            () => Task.FromResult(nodes.A.Services.GetRequiredService<PathManager>().Find(TwoNodes.Moving) is not null), TimeSpan.FromSeconds(20)),
            "the tile did not open a session on the new owner");
        await LiveAsync(page, tile);
        await VideoPlayback.AssertKeepsPlayingAsync(page, $"{tile} video", "the tile on A");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
        Assert.True(await Alarms.AlarmApi.EventuallyAsync(
            () => Task.FromResult(nodes.B.Services.GetRequiredService<LiveSessions>().Open.All(s => s.Camera.Id != TwoNodes.Moving)), TimeSpan.FromSeconds(10)),
            "the old session on B was left open");
    }

    private static async Task LiveAsync(IPage page, string tile)
    {
        try
        {
            await page.WaitForSelectorAsync($"{tile}[data-state=live]", new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the tile is not live: {await page.GetAttributeAsync(tile, "data-state")}, {await page.TextContentAsync(tile)}");
        }
    }
}
