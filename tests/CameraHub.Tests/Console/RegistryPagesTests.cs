using System.Text;
using Microsoft.Playwright;

namespace CameraHub.Tests.Console;

/// <summary>The registry and report pages in Chromium: filters, detail with mask preview, edit validation, CSV import, charts.</summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class RegistryPagesTests(DemoHub hub)
{
    [Fact]
    public async Task The_camera_list_filters_by_owner_category_mode_and_text()
    {
        var page = await hub.SignInAsync("admin");
        try
        {
            await page.WaitForSelectorAsync("#camera-table tbody tr");
            var all = await CountAsync(page);
            await page.SelectOptionAsync("#camera-filters select[name=category]", "Traffic");
            await page.WaitForFunctionAsync($"() => !document.querySelector('#camera-filters + span')?.textContent.startsWith('{all} ')");
            var traffic = await page.EvalOnSelectorAllAsync<string[]>("#camera-table tbody tr td:nth-child(4)", "cells => cells.map(c => c.textContent)");
            Assert.NotEmpty(traffic);
            Assert.All(traffic, c => Assert.Equal("Traffic", c));
            // The sample city records no traffic camera: the list empties and says so.
            await page.SelectOptionAsync("#camera-filters select[name=mode]", "RecordedOnly");
            await page.WaitForFunctionAsync("() => document.querySelector('#camera-filters + span')?.textContent === '0 cameras'");
            Assert.Empty(await page.QuerySelectorAllAsync("#camera-table tbody tr"));
            Assert.Contains("category=Traffic", page.Url);
            Assert.Contains("mode=RecordedOnly", page.Url);

            await page.GotoAsync(new Uri(hub.Address, "/#/cameras?q=Järntorget").ToString());
            await page.WaitForSelectorAsync("#camera-table tr[data-camera=OTR-001]");
            await page.SelectOptionAsync("#camera-filters select[name=permitExpiringWithinDays]", "90");
            await page.WaitForSelectorAsync("#camera-table tr[data-camera=OTR-001]");
            await DemoHub.ScreenshotAsync(page, "registry");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task An_owner_sees_the_mask_preview_and_an_invalid_edit_shows_the_API_messages_and_changes_nothing()
    {
        var page = await hub.SignInAsync("schools");
        try
        {
            await page.GotoAsync(new Uri(hub.Address, "/#/cameras/SKO-001-K01").ToString());
            await page.WaitForSelectorAsync("#camera-actions");
            Assert.Contains("GRU 2025-0101", await page.TextContentAsync("main"));
            // Owners manage and approve, but watch nothing live: no button for it.
            Assert.Null(await page.QuerySelectorAsync("#camera-actions a[href^='#/wall']"));
            await page.WaitForFunctionAsync("() => document.querySelector('main img')?.naturalWidth > 0", null, new() { Timeout = 30_000 });
            await DemoHub.ScreenshotAsync(page, "camera-detail");

            await page.ClickAsync("#camera-actions button");
            await page.FillAsync("#camera-edit input[name='legalBasis.reference']", "");
            await page.FillAsync("#camera-edit input[name=retentionDays]", "0");
            await page.ClickAsync("#camera-edit button[type=submit]");
            await page.WaitForSelectorAsync("#camera-edit .problem");
            Assert.Contains("diarienummer", await page.TextContentAsync("[data-field='legalbasis.reference'] .field-error"));
            Assert.NotEqual(string.Empty, await page.TextContentAsync("[data-field=retentiondays] .field-error"));

            var stored = await page.EvaluateAsync<string>("async () => (await (await fetch('/api/cameras/SKO-001-K01')).json()).legalBasis.reference");
            Assert.Equal("GRU 2025-0101", stored);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_CSV_import_with_a_bad_row_lists_the_row_and_field_and_imports_nothing()
    {
        var sample = await File.ReadAllLinesAsync(Path.Combine(DemoHub.SampleCityDirectory, "cameras.csv"));
        var row = sample.Skip(1).First(r => r.Contains(",RecordedOnly,", StringComparison.Ordinal));
        var id = row.Split(',')[0];
        var good = row.Replace(id, "SKO-IMP-01", StringComparison.Ordinal);
        var bad = row.Replace(id, "SKO-IMP-02", StringComparison.Ordinal).Replace(",RecordedOnly,", ",Sometimes,", StringComparison.Ordinal);
        var csv = string.Join('\n', sample[0], good, bad) + "\n";

        var page = await hub.SignInAsync("admin");
        try
        {
            await page.WaitForSelectorAsync("input[type=file]");
            await page.SetInputFilesAsync("input[type=file]", new FilePayload { Name = "cameras.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
            await page.ClickAsync("#import-form button[type=submit]");
            await page.WaitForSelectorAsync("#import-result .row-errors tbody tr");
            var cells = await page.EvalOnSelectorAllAsync<string[]>("#import-result .row-errors tbody tr:first-child td", "tds => tds.map(t => t.textContent)");
            Assert.Equal("3", cells[0]);
            Assert.Contains("mode", cells[1], StringComparison.OrdinalIgnoreCase);
            var status = await page.EvaluateAsync<int>("async () => (await fetch('/api/cameras/SKO-IMP-01')).status");
            Assert.Equal(404, status);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Reports_show_inventory_and_cost_tables_with_charts_and_CSV_downloads()
    {
        var page = await hub.SignInAsync("dpo");
        try
        {
            await page.ClickAsync("nav#nav a[data-nav=reports]");
            await page.WaitForSelectorAsync("#cost-table tbody tr");
            Assert.True(await page.EvalOnSelectorAllAsync<int>("#cost-table tbody tr", "rows => rows.length") >= 5);
            // Chart.js (served by the hub from wwwroot/lib) drew both charts.
            Assert.True(await page.EvaluateAsync<bool>("() => !!window.Chart && !!Chart.getChart('chart-costs') && !!Chart.getChart('chart-categories')"));
            Assert.Contains("Grundskolenämnden", await page.TextContentAsync("#cost-table"));
            var csv = await page.Context.APIRequest.GetAsync(new Uri(hub.Address, await page.GetAttributeAsync("#costs a[download]", "href")).ToString());
            Assert.True(csv.Ok);
            Assert.StartsWith("text/csv", csv.Headers["content-type"]);
            await DemoHub.ScreenshotAsync(page, "reports");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task<int> CountAsync(IPage page)
    {
        var text = await page.TextContentAsync("#camera-filters + span") ?? "0";
        return int.Parse(new string([.. text.TakeWhile(char.IsDigit)]), System.Globalization.CultureInfo.InvariantCulture);
    }
}
