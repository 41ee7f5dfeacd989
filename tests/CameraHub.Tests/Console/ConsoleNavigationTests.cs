using Microsoft.Playwright;

namespace CameraHub.Tests.Console;

/// <summary>Every demo role signs in and is offered exactly the pages its role and grants allow; each page opens.</summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class ConsoleNavigationTests(DemoHub hub)
{
    public static TheoryData<string, string[]> Roles => new()
    {
        { "admin", ["cameras", "reports", "evidence", "audit", "grants", "alarms", "status", "mask-lifts"] },
        { "schools", ["cameras", "reports", "playback", "evidence", "grants", "alarms", "mask-lifts"] },
        { "housing", ["cameras", "reports", "playback", "evidence", "grants", "alarms", "mask-lifts"] },
        { "traffic", ["cameras", "wall", "alarms"] },
        { "care", ["cameras", "wall", "tonight", "alarms"] },
        { "police", ["cameras", "wall", "playback", "evidence", "alarms", "mask-lifts"] }, // Live, Playback and Unmask on the demo lift camera OTR-001
        { "dpo", ["cameras", "reports", "evidence", "audit", "alarms", "mask-lifts"] },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task A_demo_role_is_offered_only_its_pages_and_each_one_opens(string user, string[] pages)
    {
        var page = await hub.SignInAsync(user);
        try
        {
            var offered = await page.EvalOnSelectorAllAsync<string[]>("nav#nav a", "links => links.map(a => a.dataset.nav)");
            // The mask-lift tests grant traffic Unmask on cameras of their own, which offers it the lifts page.
            offered = user == "traffic" ? [.. offered.Where(n => n != "mask-lifts")] : offered;
            Assert.Equal(pages, offered);
            foreach (var name in offered)
            {
                await page.ClickAsync($"nav#nav a[data-nav={name}]");
                await page.WaitForSelectorAsync("main h1");
                Assert.Empty(await page.QuerySelectorAllAsync("main .problem"));
            }

            // A page not offered is not reachable by typing its address either (and the API would refuse anyway).
            foreach (var hidden in new[] { "wall", "playback", "evidence", "audit", "reports", "grants", "tonight" }.Except(pages))
            {
                await page.GotoAsync(new Uri(hub.Address, $"/#/{hidden}").ToString());
                await page.WaitForSelectorAsync("main h1");
                Assert.Equal("Your account has no access to this page.", await page.TextContentAsync("main h1"));
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_console_speaks_Swedish_by_default_and_switches_to_English()
    {
        var context = await hub.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(hub.Address.ToString());
        Assert.Equal("Logga in i CameraHub", await page.TextContentAsync("main h1"));
        await page.FillAsync("#signin input[name=username]", "dpo");
        await page.FillAsync("#signin input[name=password]", "wrong-password-123");
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("#signin-error:not(:empty)");
        Assert.Contains("wrong user name or password", await page.TextContentAsync("#signin-error"));

        await page.FillAsync("#signin input[name=password]", DemoHub.Password);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("header#top:not([hidden])");
        Assert.Equal("Loggbok", await page.TextContentAsync("nav#nav a[data-nav=audit]"));
        Assert.Equal("Kameraregister", await page.TextContentAsync("main h1"));

        await page.SelectOptionAsync("#language", "en");
        await page.WaitForFunctionAsync("() => document.querySelector('main h1')?.textContent === 'Camera registry'");
        Assert.Equal("Audit log", await page.TextContentAsync("nav#nav a[data-nav=audit]"));
        await context.CloseAsync();
    }
}
