using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.StreamBroker.Live;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Masking;

/// <summary>
/// Lifting a liftable mask (DESIGN.md 4.6, §9) through the hub's routes: Unmask by a personal grant, a reason, a
/// second person's approval, a time limit; the original picture for that user, camera and use only; a permanent mask
/// never, for anyone. Every step is audited.
/// </summary>
public sealed class MaskLiftTests : IAsyncLifetime
{
    private const string Square = "TRF-ML-01";   // public-square polygons, liftable
    private const string School = "SKO-ML-01";   // the school rule, permanent
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.CreateUserAsync("officer", HubRoles.PoliceLiaison);
        await _hub.CreateUserAsync("colleague", HubRoles.PoliceLiaison);
        await _hub.CreateUserAsync("streets", HubRoles.CameraOwner, "stadsmiljonamnden");
        await _hub.CreateCameraAsync(SampleCameras.Traffic(Square) with
        {
            Masking = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [100, 0], [100, 100], [0, 100]]], Liftable = true },
        });
        await _hub.CreateCameraAsync(SampleCameras.School(School) with { Mode = CameraMode.LiveAndRecorded });
        foreach (var user in new[] { "officer", "colleague" })
        {
            await _hub.GrantAsync(GrantSubjectKind.User, user, GrantScopeKind.Camera, Square, CameraRight.Live | CameraRight.Playback);
        }

        await _hub.GrantAsync(GrantSubjectKind.User, "officer", GrantScopeKind.Camera, Square, CameraRight.Unmask);
        await _hub.GrantAsync(GrantSubjectKind.User, "admin", GrantScopeKind.AllCameras, "*", CameraRight.Unmask | CameraRight.Live);
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_lift_needs_four_eyes_unmasks_only_the_requesters_live_view_and_ends_when_it_expires()
    {
        var officer = await _hub.SignInAsAsync("officer");
        var lift = await RequestAsync(officer, Square, new { reason = "Misshandel på torget, ärende 5000-K1-26", live = true, minutes = 5 });
        Assert.Equal("Requested", lift.GetProperty("state").GetString());
        var id = lift.GetProperty("id").GetString();

        // Not yet approved: still masked. The requester cannot approve; nor can someone without Unmask or ApproveExport.
        Assert.True((await FeedAsync("officer", Square)).IsMasked);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsync($"/api/mask-lifts/{id}/approve", null)).StatusCode);
        var colleague = await _hub.SignInAsAsync("colleague");
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.PostAsync($"/api/mask-lifts/{id}/approve", null)).StatusCode);

        // The approver's queue shows it; the owner approves.
        var streets = await _hub.SignInAsAsync("streets");
        var queue = await streets.GetFromJsonAsync<JsonElement>("/api/mask-lifts?state=Requested");
        Assert.Contains(queue.EnumerateArray(), l => l.GetProperty("id").GetString() == id);
        using var approved = await streets.PostAsync($"/api/mask-lifts/{id}/approve", null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var expires = (await approved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset();
        Assert.Equal(_hub.Time.GetUtcNow().AddMinutes(5), expires);

        // The requester's live view is the original, until the lift expires; everyone else, and playback, stay masked.
        using var opened = await officer.PostAsync($"/api/cameras/{Square}/live", null);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var sessionId = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetString()!;
        var session = _hub.Services.GetRequiredService<LiveSessions>().Open.Single(s => s.Id == sessionId);
        Assert.False(session.Feed.IsMasked);
        Assert.Equal(expires, session.EndsAt);
        Assert.True((await FeedAsync("colleague", Square)).IsMasked);
        var camera = (await _hub.Services.GetRequiredService<ICameraDirectory>().FindAsync(Square, default))!;
        var now = _hub.Time.GetUtcNow();
        Assert.True((await _hub.Services.GetRequiredService<IPictureFeeds>().RecordedAsync("officer", camera, now.AddHours(-1), now, false, default)).IsMasked);

        _hub.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await FeedAsync("officer", Square)).IsMasked);
        var admin = await _hub.SignInAsAsync("admin");
        var after = await admin.GetFromJsonAsync<JsonElement>("/api/mask-lifts");
        Assert.Equal("Expired", after.EnumerateArray().Single(l => l.GetProperty("id").GetString() == id).GetProperty("state").GetString());

        var dpo = await _hub.SignInAsAsync("dpo");
        foreach (var action in new[] { "MaskLiftRequested", "MaskLiftApproved", "MaskLiftStarted" })
        {
            var entries = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={Square}&action={action}");
            Assert.True(entries.GetProperty("total").GetInt32() == 1, action);
        }

        var denials = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={Square}&action=AccessDenied");
        Assert.Contains(denials.GetProperty("items").EnumerateArray(), e => e.GetProperty("details").GetString()!.Contains("four eyes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ending_a_lift_stops_the_unmasked_view_and_is_audited()
    {
        var officer = await _hub.SignInAsAsync("officer");
        var id = (await RequestAsync(officer, Square, new { reason = "Rån", live = true })).GetProperty("id").GetString();
        var streets = await _hub.SignInAsAsync("streets");
        Assert.Equal(HttpStatusCode.OK, (await streets.PostAsync($"/api/mask-lifts/{id}/approve", null)).StatusCode);
        using var opened = await officer.PostAsync($"/api/cameras/{Square}/live", null);
        var sessionId = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetString()!;
        var sessions = _hub.Services.GetRequiredService<LiveSessions>();
        Assert.Contains(sessions.Open, s => s.Id == sessionId && !s.Feed.IsMasked);

        using var ended = await streets.DeleteAsync($"/api/mask-lifts/{id}?reason=klart");
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal("Ended", (await ended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        Assert.DoesNotContain(sessions.Open, s => s.Id == sessionId && !s.IsEnded);
        Assert.True((await FeedAsync("officer", Square)).IsMasked);

        var dpo = await _hub.SignInAsAsync("dpo");
        var entries = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={Square}&action=MaskLiftEnded");
        Assert.Contains("klart", entries.GetProperty("items")[0].GetProperty("details").GetString(), StringComparison.Ordinal);
        var revoked = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={Square}&action=LiveViewRevoked");
        Assert.Equal(1, revoked.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_permanent_mask_is_never_lifted_not_even_for_an_administrator_holding_unmask()
    {
        var admin = await _hub.SignInAsAsync("admin");
        using var refused = await admin.PostAsJsonAsync($"/api/cameras/{School}/mask-lifts", new { reason = "kontroll", live = true });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("permanent mask", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await FeedAsync("admin", School)).IsMasked);
    }

    [Fact]
    public async Task Unmask_comes_only_from_a_grant_naming_the_user_and_a_request_needs_a_reason_and_a_scope()
    {
        await _hub.GrantAsync(GrantSubjectKind.Role, HubRoles.PoliceLiaison, GrantScopeKind.Camera, Square, CameraRight.Unmask);
        var colleague = await _hub.SignInAsAsync("colleague");
        using var byRole = await colleague.PostAsJsonAsync($"/api/cameras/{Square}/mask-lifts", new { reason = "Rån", live = true });
        Assert.Equal(HttpStatusCode.Forbidden, byRole.StatusCode);

        var admin = await _hub.SignInAsAsync("admin");
        using var roleGrant = await admin.PostAsJsonAsync("/api/grants",
            new { subjectKind = "Role", subject = HubRoles.PoliceLiaison, scopeKind = "Camera", scope = Square, rights = "Unmask", reason = "test" }, HubFactory.Json);
        Assert.Equal(HttpStatusCode.BadRequest, roleGrant.StatusCode);
        Assert.Contains("named user only", await roleGrant.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var userGrant = await admin.PostAsJsonAsync("/api/grants",
            new { subjectKind = "User", subject = "colleague", scopeKind = "Camera", scope = Square, rights = "Unmask", reason = "Ärende 5000-K2-26" }, HubFactory.Json);
        Assert.Equal(HttpStatusCode.Created, userGrant.StatusCode);

        var officer = await _hub.SignInAsAsync("officer");
        using var noReason = await officer.PostAsJsonAsync($"/api/cameras/{Square}/mask-lifts", new { reason = " ", live = true });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        using var noScope = await officer.PostAsJsonAsync($"/api/cameras/{Square}/mask-lifts", new { reason = "Rån" });
        Assert.Equal(HttpStatusCode.BadRequest, noScope.StatusCode);
        using var tooLong = await officer.PostAsJsonAsync($"/api/cameras/{Square}/mask-lifts", new { reason = "Rån", live = true, minutes = 16 });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task A_playback_lift_covers_its_window_only()
    {
        var officer = await _hub.SignInAsAsync("officer");
        var now = _hub.Time.GetUtcNow();
        var id = (await RequestAsync(officer, Square, new { reason = "Rån", playbackFrom = now.AddHours(-2), playbackTo = now.AddHours(-1) })).GetProperty("id").GetString();
        var streets = await _hub.SignInAsAsync("streets");
        Assert.Equal(HttpStatusCode.OK, (await streets.PostAsync($"/api/mask-lifts/{id}/approve", null)).StatusCode);

        var feeds = _hub.Services.GetRequiredService<IPictureFeeds>();
        var camera = (await _hub.Services.GetRequiredService<ICameraDirectory>().FindAsync(Square, default))!;
        Assert.False((await feeds.RecordedAsync("officer", camera, now.AddHours(-2), now.AddHours(-1), false, default)).IsMasked);
        Assert.True((await feeds.RecordedAsync("officer", camera, now.AddHours(-2), now, false, default)).IsMasked);
        Assert.True((await feeds.RecordedAsync("colleague", camera, now.AddHours(-2), now.AddHours(-1), false, default)).IsMasked);
        Assert.True((await feeds.LiveAsync("officer", camera, default)).IsMasked);
    }

    private static async Task<JsonElement> RequestAsync(HttpClient client, string camera, object body)
    {
        using var response = await client.PostAsJsonAsync($"/api/cameras/{camera}/mask-lifts", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<FeedDecision> FeedAsync(string user, string cameraId)
    {
        var camera = (await _hub.Services.GetRequiredService<ICameraDirectory>().FindAsync(cameraId, default))!;
        return await _hub.Services.GetRequiredService<IPictureFeeds>().LiveAsync(user, camera, default);
    }
}
