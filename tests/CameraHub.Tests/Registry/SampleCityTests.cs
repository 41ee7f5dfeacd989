using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.Tests.Infrastructure;

namespace CameraHub.Tests.Registry;

[Trait("Category", "Integration")]
public class SampleCityTests
{
    [Fact]
    public async Task Demo_mode_serves_the_sample_citys_inventory_and_cost_analysis()
    {
        using var hub = new HubFactory(demo: true);
        var dpo = await hub.SignInAsAsync("dpo");

        var inventory = await dpo.GetFromJsonAsync<JsonElement>("/api/reports/inventory");
        Assert.True(inventory.GetProperty("total").GetInt32() > 1800);
        var owners = inventory.GetProperty("byOwner").EnumerateArray().ToDictionary(o => o.GetProperty("key").GetString()!, o => o.GetProperty("cameras").GetInt32());
        Assert.InRange(owners["Grundskolenämnden"], 950, 1150);
        Assert.True(inventory.GetProperty("basesDueForReview").GetArrayLength() > 0);

        var costs = await dpo.GetFromJsonAsync<JsonElement>("/api/reports/costs");
        var total = costs.GetProperty("total");
        Assert.True(total.GetProperty("storedCostPerYear").GetDecimal() > 0);
        Assert.True(total.GetProperty("liveCostPerYear").GetDecimal() > 0);
        var split = total.GetProperty("liveCostPerYear").GetDecimal() + total.GetProperty("storedCostPerYear").GetDecimal();
        Assert.InRange(total.GetProperty("totalPerYear").GetDecimal() - split, -50m, 50m); // rows are rounded to whole SEK
        var csv = await dpo.GetStringAsync("/api/reports/costs?format=csv");
        Assert.Contains("Grundskolenämnden", csv, StringComparison.Ordinal);

        // The demo users exist with their documented roles; the traffic operator sees only traffic and tunnel cameras.
        var traffic = await hub.SignInAsAsync("traffic");
        var visible = await traffic.GetFromJsonAsync<JsonElement>("/api/cameras?pageSize=1000");
        Assert.All(visible.GetProperty("items").EnumerateArray(), c => Assert.Contains(c.GetProperty("category").GetString(), new[] { "Traffic", "TechnicalFacility" }));
    }
}
