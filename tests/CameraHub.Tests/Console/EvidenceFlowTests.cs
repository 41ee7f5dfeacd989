using System.Globalization;
using CameraHub.Masking.Evidence;
using Microsoft.Playwright;

namespace CameraHub.Tests.Console;

/// <summary>
/// Four eyes in two browsers: the police liaison requests footage of the demo garage camera, the housing company's
/// camera owner approves it in a second browser, the liaison downloads a package that verifies, and the DPO sees it all.
/// </summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class EvidenceFlowTests(DemoHub hub)
{
    private const string Camera = "GAR-001-K01";
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    [Fact]
    public async Task Police_request_is_approved_by_the_owner_in_another_browser_downloaded_verified_and_audited()
    {
        var segments = await hub.RecordedSegmentsAsync("housing", Camera, count: 3);
        var from = segments[0].Start.AddSeconds(1);
        var to = from.AddSeconds(5);
        var caseNumber = $"5000-K{Random.Shared.Next(100000, 999999)}-26";

        var police = await hub.SignInAsync("police");
        var housing = await hub.SignInAsync("housing");
        var dpo = await hub.SignInAsync("dpo");
        try
        {
            await police.ClickAsync("nav#nav a[data-nav=evidence]");
            await police.WaitForSelectorAsync($"#evidence-form select[name=cameraIds] option[value={Camera}]", new() { State = WaitForSelectorState.Attached });
            // A malformed case number is refused with the API's own message, and nothing is requested.
            await police.FillAsync("#evidence-form input[name=caseNumber]", "K123");
            await police.ClickAsync("#evidence-form button[type=submit]");
            await police.WaitForSelectorAsync("#evidence-form .problem");
            Assert.Contains("police case number", await police.TextContentAsync("#evidence-form .problem"));

            await police.FillAsync("#evidence-form input[name=caseNumber]", caseNumber);
            await police.SelectOptionAsync("#evidence-form select[name=cameraIds]", Camera);
            await police.FillAsync("#evidence-form input[name=from]", Local(from));
            await police.FillAsync("#evidence-form input[name=to]", Local(to));
            await police.FillAsync("#evidence-form textarea[name=reason]", "Inbrott i bil, garage plan 1");
            await police.ClickAsync("#evidence-form button[type=submit]");
            await police.WaitForSelectorAsync("#evidence-form .notice");
            var row = $"#evidence-table tr:has-text('{caseNumber}')";
            await police.WaitForSelectorAsync($"{row}[data-status=Requested]");
            // The requester cannot approve their own request: there is no button for it.
            Assert.Null(await police.QuerySelectorAsync($"{row} [data-action=approve]"));
            await DemoHub.ScreenshotAsync(police, "evidence-request");

            await housing.ClickAsync("nav#nav a[data-nav=evidence]");
            await housing.WaitForSelectorAsync($"{row} [data-action=approve]");
            Assert.Null(await housing.QuerySelectorAsync("#evidence-form"));
            await housing.ClickAsync($"{row} [data-action=approve]");
            await housing.WaitForSelectorAsync($"{row}:not([data-status=Requested])");

            await police.WaitForSelectorAsync($"{row}[data-status=Ready]", new() { Timeout = 180_000 });
            var download = await police.RunAndWaitForDownloadAsync(() => police.ClickAsync($"{row} [data-action=download]"));
            var saved = Path.Combine(hub.DataDirectory, $"downloaded-{caseNumber}.zip");
            await download.SaveAsAsync(saved);
            var verification = EvidenceVerifier.Verify(saved);
            Assert.True(verification.Intact, string.Join("; ", verification.Problems));
            Assert.Equal(caseNumber, verification.CaseNumber);

            await police.ClickAsync($"{row} [data-action=verify]");
            await police.WaitForSelectorAsync(".verification .notice");
            Assert.Contains(verification.SigningKeyFingerprint!, await police.TextContentAsync(".verification"));
            await DemoHub.ScreenshotAsync(police, "evidence-ready");

            await dpo.ClickAsync("nav#nav a[data-nav=audit]");
            await dpo.WaitForSelectorAsync("#audit-chain [data-valid=true]");
            await dpo.FillAsync("#audit-filters input[name=camera]", Camera);
            await dpo.ClickAsync("#audit-filters button[type=submit]");
            await dpo.WaitForSelectorAsync("#audit-table tr[data-action=EvidenceApproved][data-actor=housing]");
            await dpo.WaitForSelectorAsync("#audit-table tr[data-action=EvidenceDownloaded][data-actor=police]");
            await dpo.WaitForSelectorAsync("#audit-table tr[data-action=EvidenceRequested][data-actor=police]");
            await DemoHub.ScreenshotAsync(dpo, "audit");

            // The data-subject report for the garage camera lists the download.
            await dpo.FillAsync("#data-subject input[name=camera]", Camera);
            await dpo.ClickAsync("#data-subject button[type=submit]");
            await dpo.WaitForSelectorAsync("#data-subject-result tr[data-action=EvidenceDownloaded][data-actor=police]");
            var csv = await dpo.Context.APIRequest.GetAsync(new Uri(hub.Address, await dpo.GetAttributeAsync("#audit-csv", "href")).ToString());
            Assert.True(csv.Ok);
            Assert.Contains("EvidenceDownloaded", await csv.TextAsync());
        }
        finally
        {
            await police.Context.CloseAsync();
            await housing.Context.CloseAsync();
            await dpo.Context.CloseAsync();
        }
    }

    /// <summary>A datetime-local value in Göteborg's time, to the second (the browser context runs in Europe/Stockholm).</summary>
    private static string Local(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, Stockholm).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
}
