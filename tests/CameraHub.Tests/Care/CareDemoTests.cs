using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.Tests.Infrastructure;

namespace CameraHub.Tests.Care;

/// <summary>The demo's care data reproduces the city's figure: ≈10,200 supervision visits in a month (DESIGN.md 1).</summary>
public sealed class CareDemoTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new(demo: true);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task The_sample_citys_145_care_cameras_schedule_10200_visits_in_November_and_care_sees_tonights()
    {
        var admin = await _hub.SignInAsAsync("admin");
        var decisions = (await admin.GetFromJsonAsync<JsonElement>("/api/care/decisions")).EnumerateArray().ToList();
        Assert.Equal(145, decisions.Count);

        var report = await admin.GetFromJsonAsync<JsonElement>("/api/care/reports/visits?month=2026-11");
        var all = report.EnumerateArray().Single(r => r.GetProperty("careUnit").GetString() == "all");
        Assert.Equal(10_200, all.GetProperty("scheduled").GetInt32());
        Assert.Equal(5, report.GetArrayLength());

        var care = await _hub.SignInAsAsync("care");
        // The keeper writes tonight's visits on its first pass after start-up; TRY-001 is visited every half hour.
        var visits = 0;
        for (var attempt = 0; attempt < 100 && visits <= 300; attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 200);
            visits = (await care.GetFromJsonAsync<JsonElement>("/api/care/visits?date=2026-11-24")).GetProperty("visits").GetArrayLength();
        }

        Assert.InRange(visits, 301, 340);
    }
}
