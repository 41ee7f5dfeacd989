using System.Net.Http.Json;
using System.Text.Json;

namespace CameraHub.Tests.Console;

/// <summary>Granting and revoking in the browser: the rights follow at once; owners grant only on their own cameras.</summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class GrantsPageTests(DemoHub hub)
{
    private const string Camera = "TEK-002";

    [Fact]
    public async Task An_administrator_grants_a_care_operator_live_on_a_tunnel_camera_and_revokes_it()
    {
        using var care = await hub.ApiAsAsync("care");
        Assert.False(await HoldsLiveAsync(care));
        var page = await hub.SignInAsync("admin");
        try
        {
            await page.ClickAsync("nav#nav a[data-nav=grants]");
            await page.WaitForSelectorAsync("#grant-form");
            await page.FillAsync("#grant-form input[name=subject]", "care");
            await page.FillAsync("#grant-form input[name=scope]", Camera);
            await page.CheckAsync("#grant-form input[name=rights][value=Live]");
            await page.ClickAsync("#grant-form button[type=submit]");
            // No reason, no grant: the API's message is shown.
            await page.WaitForSelectorAsync("#grant-form .problem");
            Assert.Contains("reason is required", await page.TextContentAsync("#grant-form .problem"));
            Assert.False(await HoldsLiveAsync(care));

            await page.FillAsync("#grant-form input[name=reason]", "Tunnelincident, stöd till trafikledningen");
            await page.ClickAsync("#grant-form button[type=submit]");
            var row = $"#grant-table tr[data-subject=care][data-scope={Camera}]";
            await page.WaitForSelectorAsync(row);
            Assert.True(await HoldsLiveAsync(care));
            await DemoHub.ScreenshotAsync(page, "grants");

            await page.ClickAsync($"{row} [data-action=revoke]");
            await page.WaitForSelectorAsync(row, new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });
            Assert.False(await HoldsLiveAsync(care));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task An_owner_may_not_grant_on_another_owners_camera()
    {
        var page = await hub.SignInAsync("housing");
        try
        {
            await page.ClickAsync("nav#nav a[data-nav=grants]");
            await page.FillAsync("#grant-form input[name=subject]", "care");
            await page.FillAsync("#grant-form input[name=scope]", "SKO-001-K01");
            await page.CheckAsync("#grant-form input[name=rights][value=Playback]");
            await page.FillAsync("#grant-form input[name=reason]", "Försök utanför det egna bolaget");
            await page.ClickAsync("#grant-form button[type=submit]");
            await page.WaitForSelectorAsync("#grant-form .problem");
            Assert.Contains("Not allowed", await page.TextContentAsync("#grant-form .problem"));
            Assert.Null(await page.QuerySelectorAsync("#grant-table tr[data-scope=SKO-001-K01]"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task<bool> HoldsLiveAsync(HttpClient user)
    {
        var answer = await user.GetFromJsonAsync<JsonElement>($"/api/access/rights?camera={Camera}&right=Live");
        return answer.EnumerateArray().Any(a => a.GetProperty("allowed").EnumerateArray().Any(r => r.GetString() == "Live"));
    }
}
