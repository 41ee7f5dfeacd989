using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Sharing;

/// <summary>The agreement and credential routes: who may change them, validation, audit, what is stored.</summary>
public sealed class SharingApiTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("streets", HubRoles.CameraOwner, "stadsmiljonamnden");
        await _hub.CreateUserAsync("schools", HubRoles.CameraOwner, "grundskolenamnden");
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.CreateCameraAsync(SampleCameras.Traffic("TRF-A-01"));
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private static object Agreement(string partner = "vasttrafik") => new
    {
        partnerId = partner, cameraIds = new[] { "TRF-A-01" }, purpose = "Trafikinformation", legalBasisReference = "SMN 2026-0112",
    };

    [Fact]
    public async Task The_owning_organisations_camera_owner_creates_and_withdraws_an_agreement_others_may_not_and_both_are_audited()
    {
        var schools = await _hub.SignInAsAsync("schools");
        var traffic = await _hub.SignInAsAsync("traffic");
        var streets = await _hub.SignInAsAsync("streets");

        using var foreign = await schools.PostAsJsonAsync("/api/sharing-agreements", Agreement());
        using var operatorTry = await traffic.PostAsJsonAsync("/api/sharing-agreements", Agreement());
        using var created = await streets.PostAsJsonAsync("/api/sharing-agreements", Agreement());
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, operatorTry.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var listed = await streets.GetFromJsonAsync<JsonElement>("/api/sharing-agreements");
        var listedToOthers = await schools.GetFromJsonAsync<JsonElement>("/api/sharing-agreements");
        Assert.Equal(1, listed.GetArrayLength());
        Assert.Equal(0, listedToOthers.GetArrayLength());

        using var withdrawnByOther = await schools.DeleteAsync($"/api/sharing-agreements/{id}");
        using var withdrawn = await streets.DeleteAsync($"/api/sharing-agreements/{id}");
        Assert.Equal(HttpStatusCode.Forbidden, withdrawnByOther.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);

        var dpo = await _hub.SignInAsAsync("dpo");
        var audit = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?action=SharingAgreementChanged", HubFactory.Json);
        Assert.Equal(2, audit.GetProperty("total").GetInt32());
        Assert.Contains("withdrawn", audit.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agreement_needs_a_partner_organisation_a_scope_a_purpose_and_a_legal_basis()
    {
        var admin = await _hub.SignInAsAsync("admin");
        using var response = await admin.PostAsJsonAsync("/api/sharing-agreements", new { partnerId = "framtiden", protocols = "Rtsp" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        foreach (var field in new[] { "partnerId", "cameraIds", "purpose", "legalBasisReference" })
        {
            Assert.Contains(field, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Credentials_are_shown_once_stored_as_hashes_rotated_by_reissuing_and_only_by_administrators()
    {
        var admin = await _hub.SignInAsAsync("admin");
        using var refused = await (await _hub.SignInAsAsync("streets")).PostAsync("/api/partners/vasttrafik/credentials", null);
        using var first = await admin.PostAsync("/api/partners/vasttrafik/credentials", null);
        using var second = await admin.PostAsync("/api/partners/vasttrafik/credentials", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var one = await first.Content.ReadFromJsonAsync<JsonElement>();
        var two = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(one.GetProperty("userName").GetString(), two.GetProperty("userName").GetString());

        var rows = await _hub.WithScopeAsync(async sp =>
        {
            await using var db = await sp.GetRequiredService<IDbContextFactory<AccessDbContext>>().CreateDbContextAsync();
            return await db.PartnerCredentials.AsNoTracking().OrderBy(c => c.CreatedAtUtc).ToListAsync();
        });
        Assert.Equal(2, rows.Count);
        Assert.Single(rows, r => r.RevokedAtUtc is null);
        var password = two.GetProperty("password").GetString()!;
        var apiKey = two.GetProperty("apiKey").GetString()!;
        Assert.All(rows, r => Assert.DoesNotContain(password, r.DigestHa1 + r.ApiKeyHash, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.DoesNotContain(apiKey, r.DigestHa1 + r.ApiKeyHash, StringComparison.Ordinal));
        Assert.Equal(StreamBroker.Sharing.DigestAuthenticator.Ha1(two.GetProperty("userName").GetString()!, password), rows[^1].DigestHa1);
    }
}
