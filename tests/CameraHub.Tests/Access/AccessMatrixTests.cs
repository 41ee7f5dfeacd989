using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Access;

/// <summary>Roles × rights × camera modes against the real policy and a real database.</summary>
public class AccessMatrixTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("schools", HubRoles.CameraOwner, "grundskolenamnden");
        await _hub.CreateUserAsync("housing", HubRoles.CameraOwner, "framtiden");
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("care", HubRoles.CareOperator);
        await _hub.CreateUserAsync("police", HubRoles.PoliceLiaison);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);

        await _hub.CreateCameraAsync(SampleCameras.Traffic("LIVE"));                 // LiveOnly, traffic board
        await _hub.CreateCameraAsync(SampleCameras.School("REC"));                   // RecordedOnly, school board
        await _hub.CreateCameraAsync(SampleCameras.Traffic("BOTH") with              // LiveAndRecorded, traffic board
        {
            Category = CameraCategory.PublicSquare,
            Mode = CameraMode.LiveAndRecorded,
            RetentionDays = 14,
            SharingPartnerIds = [],
        });

        await _hub.GrantAsync(GrantSubjectKind.Role, HubRoles.TrafficOperator, GrantScopeKind.Organisation, "stadsmiljonamnden", CameraRight.Live);
        await _hub.GrantAsync(GrantSubjectKind.Role, HubRoles.PoliceLiaison, GrantScopeKind.Category, "School", CameraRight.Export);
        await _hub.GrantAsync(GrantSubjectKind.Role, HubRoles.PoliceLiaison, GrantScopeKind.Camera, "BOTH", CameraRight.Export | CameraRight.Playback);
        await _hub.GrantAsync(GrantSubjectKind.User, "schools", GrantScopeKind.Organisation, "grundskolenamnden", CameraRight.Playback);
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    private static ClaimsPrincipal As(string user, string role, string? org = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user), new(ClaimTypes.Role, role) };
        if (org is not null)
        {
            claims.Add(new Claim(HubRoles.OrganisationClaim, org));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "test", ClaimTypes.Name, ClaimTypes.Role));
    }

    private static readonly Dictionary<string, ClaimsPrincipal> Users = new()
    {
        ["admin"] = As("admin", HubRoles.Administrator),
        ["schools"] = As("schools", HubRoles.CameraOwner, "grundskolenamnden"),
        ["housing"] = As("housing", HubRoles.CameraOwner, "framtiden"),
        ["traffic"] = As("traffic", HubRoles.TrafficOperator),
        ["care"] = As("care", HubRoles.CareOperator),
        ["police"] = As("police", HubRoles.PoliceLiaison),
        ["dpo"] = As("dpo", HubRoles.DataProtectionOfficer),
    };

    // Expected outcome per camera and right for each user: A = allowed, F = 403 forbidden, C = 409 camera forbids.
    // Columns: admin schools housing traffic care police dpo
    [Theory]
    [InlineData("LIVE", CameraRight.Live, "F F F A F F F")]
    [InlineData("LIVE", CameraRight.Playback, "C C C C C C C")]
    [InlineData("LIVE", CameraRight.Export, "C C C C C C C")]
    [InlineData("LIVE", CameraRight.ApproveExport, "F F F F F F F")]
    [InlineData("LIVE", CameraRight.Audit, "A F F F F F A")]
    [InlineData("LIVE", CameraRight.Manage, "A F F F F F F")]
    [InlineData("REC", CameraRight.Live, "C C C C C C C")]
    [InlineData("REC", CameraRight.Playback, "F A F F F F F")]
    [InlineData("REC", CameraRight.Export, "F F F F F A F")]
    [InlineData("REC", CameraRight.ApproveExport, "F A F F F F F")]
    [InlineData("REC", CameraRight.Audit, "A A F F F F A")]
    [InlineData("REC", CameraRight.Manage, "A A F F F F F")]
    [InlineData("BOTH", CameraRight.Live, "F F F A F F F")]
    [InlineData("BOTH", CameraRight.Playback, "F F F F F A F")]
    [InlineData("BOTH", CameraRight.Export, "F F F F F A F")]
    [InlineData("BOTH", CameraRight.Manage, "A F F F F F F")]
    public async Task Each_role_gets_exactly_what_it_should(string camera, CameraRight right, string expected)
    {
        var policy = _hub.Services.GetRequiredService<IAccessPolicy>();
        var names = new[] { "admin", "schools", "housing", "traffic", "care", "police", "dpo" };
        var actual = new List<string>();
        foreach (var name in names)
        {
            var decision = await policy.DecideAsync(Users[name], right, camera, default);
            actual.Add(decision.StatusCode switch { 200 => "A", 403 => "F", 409 => "C", _ => decision.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        Assert.Equal(expected, string.Join(' ', actual));
    }

    [Theory]
    [InlineData("traffic", CameraRight.Live, "BOTH LIVE")]
    [InlineData("police", CameraRight.Export, "BOTH REC")]
    [InlineData("police", CameraRight.Playback, "BOTH")]
    [InlineData("schools", CameraRight.Playback, "REC")]
    [InlineData("admin", CameraRight.Live, "")]
    [InlineData("admin", CameraRight.Manage, "BOTH LIVE NIGHT REC")]
    [InlineData("dpo", CameraRight.Audit, "BOTH LIVE NIGHT REC")]
    public async Task A_list_filtered_by_a_right_holds_exactly_the_cameras_the_policy_allows_now(string user, CameraRight right, string expected)
    {
        // NIGHT may be watched only at night: at midday it is in no one's live list, though the traffic grant covers it.
        await _hub.CreateCameraAsync(SampleCameras.Traffic("NIGHT") with { AllowedHours = "Mon-Sun 18:00-06:00" });
        using var client = await _hub.SignInAsAsync(user);
        var policy = _hub.Services.GetRequiredService<IAccessPolicy>();

        var page = await client.GetFromJsonAsync<CameraPage>($"/api/cameras?right={right}&pageSize=1000", HubFactory.Json);
        var listed = page!.Items.Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, string.Join(' ', listed));
        Assert.Equal(listed.Count, page.Total);
        foreach (var id in new[] { "BOTH", "LIVE", "NIGHT", "REC" })
        {
            Assert.Equal(listed.Contains(id), (await policy.DecideAsync(Users[user], right, id, default)).Allowed);
        }

        // The rights route gives the same answers, and the reason for each refusal.
        var answers = await client.GetFromJsonAsync<JsonElement>($"/api/access/rights?camera=BOTH&camera=LIVE&camera=NIGHT&camera=REC&camera=NOPE&right={right}");
        var allowed = answers.EnumerateArray().Where(a => a.GetProperty("allowed").GetArrayLength() > 0).Select(a => a.GetProperty("cameraId").GetString()!).ToList();
        Assert.Equal(listed, allowed);
        Assert.DoesNotContain(answers.EnumerateArray(), a => a.GetProperty("cameraId").GetString() == "NOPE");
        if (!listed.Contains("NIGHT") && right == CameraRight.Live)
        {
            var night = answers.EnumerateArray().Single(a => a.GetProperty("cameraId").GetString() == "NIGHT");
            Assert.Contains("outside its allowed hours", night.GetProperty("refused").GetProperty("Live").GetString(), StringComparison.Ordinal);
        }

        // Paging walks the same filtered list.
        if (listed.Count > 1)
        {
            var second = await client.GetFromJsonAsync<CameraPage>($"/api/cameras?right={right}&pageSize=1&page=2", HubFactory.Json);
            Assert.Equal(listed.Count, second!.Total);
            Assert.Equal(listed[1], Assert.Single(second.Items).Id);
        }
    }

    [Fact]
    public async Task Live_is_refused_outside_the_cameras_allowed_hours_and_allowed_inside()
    {
        await _hub.CreateCameraAsync(SampleCameras.Traffic("NIGHT") with { AllowedHours = "Mon-Sun 18:00-06:00" });
        var policy = _hub.Services.GetRequiredService<IAccessPolicy>();

        var midday = await policy.DecideAsync(Users["traffic"], CameraRight.Live, "NIGHT", default);
        Assert.Equal(409, midday.StatusCode);
        Assert.Contains("outside its allowed hours", midday.Reason, StringComparison.Ordinal);

        _hub.Time.Advance(TimeSpan.FromHours(7)); // 20:00 in Göteborg
        Assert.True((await policy.DecideAsync(Users["traffic"], CameraRight.Live, "NIGHT", default)).Allowed);
    }

    [Fact]
    public async Task Camera_whose_permit_expires_serves_nothing()
    {
        var camera = SampleCameras.Traffic("PERMIT");
        camera.LegalBasis.Kind = LegalBasisKind.Permit;
        camera.LegalBasis.PermitValidUntil = new DateOnly(2026, 11, 25);
        await _hub.CreateCameraAsync(camera);
        var policy = _hub.Services.GetRequiredService<IAccessPolicy>();
        Assert.True((await policy.DecideAsync(Users["traffic"], CameraRight.Live, "PERMIT", default)).Allowed);

        _hub.Time.Advance(TimeSpan.FromDays(2));

        var decision = await policy.DecideAsync(Users["traffic"], CameraRight.Live, "PERMIT", default);
        Assert.Equal(409, decision.StatusCode);
        Assert.Contains("no valid legal basis", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Time_limited_grant_stops_at_its_end()
    {
        await _hub.WithScopeAsync(async sp =>
        {
            var db = await sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CameraRegistry.Persistence.AccessDbContext>>().CreateDbContextAsync();
            db.Grants.Add(new Grant
            {
                Id = Guid.NewGuid(), SubjectKind = GrantSubjectKind.User, Subject = "care", ScopeKind = GrantScopeKind.Camera, Scope = "LIVE",
                Rights = CameraRight.Live, ValidUntilUtc = _hub.Time.GetUtcNow().UtcDateTime.AddHours(1), Reason = "one hour", CreatedBy = "test",
            });
            return await db.SaveChangesAsync();
        });
        var policy = _hub.Services.GetRequiredService<IAccessPolicy>();
        Assert.True((await policy.DecideAsync(Users["care"], CameraRight.Live, "LIVE", default)).Allowed);

        _hub.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(403, (await policy.DecideAsync(Users["care"], CameraRight.Live, "LIVE", default)).StatusCode);
    }

    [Fact]
    public async Task Unknown_camera_is_not_found()
    {
        var decision = await _hub.Services.GetRequiredService<IAccessPolicy>().DecideAsync(Users["admin"], CameraRight.Manage, "NOPE", default);
        Assert.Equal(404, decision.StatusCode);
    }
}
