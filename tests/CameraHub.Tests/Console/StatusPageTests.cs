namespace CameraHub.Tests.Console;

/// <summary>The administrators' status page in the browser: node, recording, sessions, audit chain; not offered to others.</summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class StatusPageTests(DemoHub hub)
{
    [Fact]
    public async Task An_administrator_sees_the_node_recording_sessions_and_an_intact_audit_chain_and_an_operator_is_not_offered_the_page()
    {
        var page = await hub.SignInAsync("admin");
        try
        {
            await page.ClickAsync("nav#nav a[data-nav=status]");
            await page.WaitForSelectorAsync("#status-nodes tbody tr");
            Assert.Equal(1, await page.Locator("#status-nodes tbody tr").CountAsync());
            Assert.Equal(3, await page.Locator("#status-sessions tbody tr").CountAsync());
            Assert.Contains("free", await page.TextContentAsync("#status-recording") ?? "", StringComparison.Ordinal);
            await page.WaitForSelectorAsync("#status-audit [data-valid=true]");
            await DemoHub.ScreenshotAsync(page, "status");
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        var traffic = await hub.SignInAsync("traffic");
        try
        {
            Assert.Equal(0, await traffic.Locator("nav#nav a[data-nav=status]").CountAsync());
        }
        finally
        {
            await traffic.Context.CloseAsync();
        }
    }
}
