using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Tests.Infrastructure;

namespace CameraHub.Tests.Care;

/// <summary>
/// The care rule inside the access policy, with no camera running: no other role or grant reaches a home's picture, a
/// care camera is never recorded, the outcome of a visit lands in the report, decisions import all rows or none.
/// </summary>
public sealed class CareAccessMatrixTests : IAsyncLifetime
{
    private const string CameraId = "TRY-M-01";
    private readonly HubFactory _factory = new();
    private CareHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = new CareHub(_factory, CameraId);
        await _hub.ArrangeAsync("rtsp://127.0.0.1:9/none");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Inside_an_open_window_no_other_role_or_grant_reaches_the_picture_and_nobody_gets_a_recording()
    {
        await _hub.DecideAsync("daily 13:05");
        foreach (var user in new[] { "traffic", "admin", "dpo", "owner", "care2" })
        {
            using var live = await _hub.OpenLiveAsync(user);
            Assert.True(live.StatusCode == HttpStatusCode.Forbidden, $"{user}: {live.StatusCode}");
            Assert.Contains($"only a care operator of unit '{CareHub.Unit}'", await live.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The unit's own operator still needs a started look: the stream never opens by itself.
        using (var withoutLook = await _hub.OpenLiveAsync("care"))
        {
            Assert.Equal(HttpStatusCode.Conflict, withoutLook.StatusCode);
            Assert.Contains("started look", await withoutLook.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var user in new[] { "traffic", "care" })
        {
            var client = await _hub.Hub.SignInAsAsync(user);
            using var playback = await client.PostAsJsonAsync($"/api/cameras/{CameraId}/playback",
                new { from = "2026-11-24T11:00:00Z", to = "2026-11-24T11:05:00Z" });
            Assert.NotEqual(HttpStatusCode.Created, playback.StatusCode);
            Assert.NotEqual(HttpStatusCode.OK, playback.StatusCode);
        }

        using (var otherUnit = await _hub.LookAsync("care2", (await _hub.VisitsAsync()).Single().GetProperty("id").GetGuid()))
        {
            Assert.Equal(HttpStatusCode.Forbidden, otherUnit.StatusCode);
        }

        // The owner and the DPO check masks with the audit right; a home's snapshot is not theirs to see.
        foreach (var user in new[] { "owner", "dpo" })
        {
            using var preview = await (await _hub.Hub.SignInAsAsync(user)).GetAsync($"/api/cameras/{CameraId}/mask-preview.png");
            Assert.Equal(HttpStatusCode.Conflict, preview.StatusCode);
        }
    }

    [Fact]
    public async Task A_care_camera_cannot_be_registered_as_recorded_or_shared_with_a_partner()
    {
        var admin = await _hub.Hub.SignInAsAsync("admin");
        using var response = await admin.PostAsJsonAsync("/api/cameras", SampleCameras.Traffic("TRY-M-02") with
        {
            OwnerId = "aldrenamnden",
            Category = CameraCategory.CareHome,
            Mode = CameraMode.LiveAndRecorded,
            RetentionDays = 7,
            SharingPartnerIds = ["vasttrafik"],
        }, HubFactory.Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("never recorded", problem, StringComparison.Ordinal);
        Assert.Contains("never shared", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recorded_outcome_shows_in_tonights_list_and_in_the_months_report_as_json_and_csv()
    {
        await _hub.DecideAsync("daily 13:05,22:00");
        var visit = (await _hub.VisitsAsync(atLeast: 2))[0];
        using (var look = await _hub.LookAsync("care", visit.GetProperty("id").GetGuid()))
        {
            Assert.Equal(HttpStatusCode.Created, look.StatusCode);
        }

        _factory.Time.Advance(TimeSpan.FromSeconds(75));
        var care = await _hub.Hub.SignInAsAsync("care");
        using (var outcome = await care.PostAsJsonAsync($"/api/care/visits/{visit.GetProperty("id").GetGuid()}/outcome", new { outcome = "ok" }))
        {
            Assert.Equal(HttpStatusCode.OK, outcome.StatusCode);
        }

        var done = (await _hub.VisitsAsync(atLeast: 2))[0];
        Assert.Equal("Done", done.GetProperty("state").GetString());
        Assert.Equal("Ok", done.GetProperty("outcome").GetString());
        Assert.Equal("Astrid L.", done.GetProperty("residentName").GetString());
        // Administrators see the visits, never the resident's name.
        Assert.Equal(JsonValueKind.Null, (await _hub.VisitsAsync("admin", 2))[0].GetProperty("residentName").ValueKind);

        var report = await care.GetFromJsonAsync<JsonElement>("/api/care/reports/visits?month=2026-11");
        var unit = report.EnumerateArray().Single(r => r.GetProperty("careUnit").GetString() == CareHub.Unit);
        Assert.Equal(1, unit.GetProperty("done").GetInt32());
        Assert.Equal(75, unit.GetProperty("averageLookSeconds").GetDouble());
        var csv = await care.GetStringAsync("/api/care/reports/visits?month=2026-11&format=csv");
        Assert.StartsWith("CareUnit,Month,Scheduled,Planned,Projected,Done,Missed", csv, StringComparison.Ordinal);
        Assert.Contains($"{CareHub.Unit},2026-11,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_decision_csv_is_imported_with_all_rows_or_none_and_every_bad_row_is_named()
    {
        var admin = await _hub.Hub.SignInAsAsync("admin");
        const string Header = "cameraId,residentId,residentName,decisionReference,decisionDate,validFrom,consentBy,consentAt,schedule,careUnit,longestLookMinutes\n";
        var bad = Header
            + $"{CameraId},TJ-1,Astrid L.,REF-1,2025-08-15,2025-09-01,brukaren,2025-08-20T10:00:00Z,\"daily 22:00,04:00\",Nordost,3\n"
            + "TRF-NONE,19400101-1234,Karl B.,REF-2,2025-08-15,2025-09-01,god man,2025-08-20T10:00:00Z,daily 25:00,Nordost,30\n";
        using (var refused = await admin.PostAsync("/api/care/decisions/import", new StringContent(bad, Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadAsStringAsync();
            foreach (var field in new[] { "line 3: cameraId", "line 3: residentId", "line 3: schedule", "line 3: longestLookMinutes" })
            {
                Assert.Contains(field, problem, StringComparison.Ordinal);
            }
        }

        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>("/api/care/decisions")).EnumerateArray());
        var good = Header + $"{CameraId},TJ-1,Astrid L.,REF-1,2025-08-15,2025-09-01,brukaren,2025-08-20T10:00:00Z,\"daily 22:00,04:00\",Nordost,3\n";
        using var imported = await admin.PostAsync("/api/care/decisions/import", new StringContent(good, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var decisions = (await admin.GetFromJsonAsync<JsonElement>("/api/care/decisions")).EnumerateArray().ToList();
        Assert.Equal("REF-1", Assert.Single(decisions).GetProperty("decisionReference").GetString());
    }
}
