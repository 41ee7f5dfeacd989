using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Access;

public class IdentityTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    private Task<HttpResponseMessage> TokenAsync(string user, string password) =>
        _hub.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = user, password });

    [Fact]
    public async Task Locked_out_account_stays_locked_even_with_the_right_password()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync("traffic", "wrong-password")).StatusCode);
        }

        var withRightPassword = await TokenAsync("traffic", HubFactory.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, withRightPassword.StatusCode);
        Assert.DoesNotContain("locked", await withRightPassword.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var cookieLogin = await _hub.CreateClient().PostAsJsonAsync("/api/auth/login", new { username = "traffic", password = HubFactory.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, cookieLogin.StatusCode);

        var dpo = await _hub.SignInAsAsync("dpo");
        var failures = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?actor=traffic&action=LoginFailed");
        Assert.Equal(7, failures.GetProperty("total").GetInt32());
        var lockouts = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?actor=traffic&action=UserLockedOut");
        Assert.True(lockouts.GetProperty("total").GetInt32() >= 1);
    }

    [Fact]
    public async Task Weak_password_is_refused_by_the_policy()
    {
        var admin = await _hub.SignInAsAsync("admin");
        var response = await admin.PostAsJsonAsync("/api/users", new { userName = "weak", password = "short", role = "TrafficOperator" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at least 12 characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_sign_in_works_for_the_console()
    {
        var client = _hub.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });
        var login = await client.PostAsJsonAsync("/api/auth/login", new { username = "traffic", password = HubFactory.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/auth/me");
        Assert.Equal("TrafficOperator", me.GetProperty("roles")[0].GetString());
    }

    [Fact]
    public async Task Disabled_user_loses_the_token_and_the_broker_is_told()
    {
        var changes = new List<AccessChanged>();
        using var subscription = _hub.Services.GetRequiredService<IAccessChangeFeed>().Subscribe(c => { changes.Add(c); return Task.CompletedTask; });
        var traffic = await _hub.SignInAsAsync("traffic");
        Assert.Equal(HttpStatusCode.OK, (await traffic.GetAsync("/api/cameras")).StatusCode);

        var admin = await _hub.SignInAsAsync("admin");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/api/users/traffic/disable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await traffic.GetAsync("/api/cameras")).StatusCode);
        Assert.Equal("traffic", Assert.Single(changes).UserName);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync("traffic", HubFactory.Password)).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_grant_is_audited_and_raises_an_access_change()
    {
        await _hub.CreateCameraAsync(SampleCameras.Traffic("TRF-1"));
        var changes = new List<AccessChanged>();
        using var subscription = _hub.Services.GetRequiredService<IAccessChangeFeed>().Subscribe(c => { changes.Add(c); return Task.CompletedTask; });
        var admin = await _hub.SignInAsAsync("admin");
        var created = await admin.PostAsJsonAsync("/api/grants", new
        {
            subjectKind = "User", subject = "traffic", scopeKind = "Camera", scope = "TRF-1", rights = "Live", reason = "Incident E6",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var policy = _hub.Services.GetRequiredService<AccessPolicy>();
        var traffic = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Name, "traffic"), new(System.Security.Claims.ClaimTypes.Role, HubRoles.TrafficOperator)], "test"));
        Assert.True((await policy.DecideAsync(traffic, CameraRight.Live, "TRF-1", default)).Allowed);

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/grants/{id}")).StatusCode);

        Assert.False((await policy.DecideAsync(traffic, CameraRight.Live, "TRF-1", default)).Allowed);
        Assert.Equal("traffic", Assert.Single(changes).UserName);
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=GrantRevoked");
        Assert.Equal(id, audit.GetProperty("items")[0].GetProperty("subjectId").GetString());
        var grants = await admin.GetFromJsonAsync<JsonElement>("/api/grants?includeRevoked=true");
        Assert.Single(grants.EnumerateArray(), g => g.GetProperty("revokedBy").GetString() == "admin");
    }

    [Fact]
    public async Task Grant_for_an_unknown_role_or_without_reason_is_refused()
    {
        var admin = await _hub.SignInAsAsync("admin");
        var response = await admin.PostAsJsonAsync("/api/grants", new { subjectKind = "Role", subject = "Janitor", scopeKind = "AllCameras", rights = "Live" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown role 'Janitor'", text, StringComparison.Ordinal);
        Assert.Contains("reason is required", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_administrator_cannot_grant_and_is_audited()
    {
        await _hub.CreateCameraAsync(SampleCameras.Traffic("TRF-1"));
        var traffic = await _hub.SignInAsAsync("traffic");
        var response = await traffic.PostAsJsonAsync("/api/grants", new { subjectKind = "User", subject = "traffic", scopeKind = "Camera", scope = "TRF-1", rights = "Live", reason = "me" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var dpo = await _hub.SignInAsAsync("dpo");
        var denied = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?actor=traffic&action=AccessDenied");
        Assert.Equal(1, denied.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Dpo_sees_the_audit_log_but_no_video()
    {
        await _hub.CreateCameraAsync(SampleCameras.Traffic("TRF-1"));
        var policy = _hub.Services.GetRequiredService<AccessPolicy>();
        var dpo = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Name, "dpo"), new(System.Security.Claims.ClaimTypes.Role, HubRoles.DataProtectionOfficer)], "test"));
        Assert.Equal(403, (await policy.DecideAsync(dpo, CameraRight.Live, "TRF-1", default)).StatusCode);
        Assert.True((await policy.DecideAsync(dpo, CameraRight.Audit, "TRF-1", default)).Allowed);

        var traffic = await _hub.SignInAsAsync("traffic");
        Assert.Equal(HttpStatusCode.Forbidden, (await traffic.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await traffic.GetAsync("/api/audit/verify")).StatusCode);
    }
}
