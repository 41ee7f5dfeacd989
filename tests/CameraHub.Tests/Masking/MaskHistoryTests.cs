using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Masking.Masks;
using CameraHub.StreamBroker.Masked;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Masking;

/// <summary>
/// Mask history (DESIGN.md 4.6): every change of a camera's mask is a new version valid from its moment, never
/// overwritten; footage recorded at a time is masked with the mask valid then, and nothing older than the history is shown.
/// </summary>
public sealed class MaskHistoryTests : IAsyncLifetime
{
    private const string CameraId = "TRF-MH-01";
    private static readonly List<List<double[]>> LeftHalf = [[[0, 0], [160, 0], [160, 180], [0, 180]]];
    private static readonly List<List<double[]>> TopHalf = [[[0, 0], [320, 0], [320, 90], [0, 90]]];
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await _hub.CreateCameraAsync(Camera(LeftHalf));
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    private static CameraInput Camera(List<List<double[]>> polygons) =>
        SampleCameras.Traffic(CameraId) with { Masking = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = polygons } };

    [Fact]
    public async Task A_changed_mask_is_a_new_version_and_yesterdays_footage_keeps_yesterdays_mask()
    {
        var created = _hub.Time.GetUtcNow();
        _hub.Time.Advance(TimeSpan.FromDays(1));
        var changedAt = _hub.Time.GetUtcNow();
        var admin = await _hub.SignInAsAsync("admin");
        using (var put = await admin.PutAsJsonAsync($"/api/cameras/{CameraId}", Camera(TopHalf), HubFactory.Json))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // An edit that does not touch the mask makes no version.
        using (var rename = await admin.PutAsJsonAsync($"/api/cameras/{CameraId}", Camera(TopHalf) with { Name = "Trafikkamera E6 norr" }, HubFactory.Json))
        {
            Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        }

        var dpo = await _hub.SignInAsAsync("dpo");
        var versions = (await dpo.GetFromJsonAsync<JsonElement>($"/api/cameras/{CameraId}/mask-versions")).EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        Assert.Equal((1, 2), (versions[0].GetProperty("version").GetInt32(), versions[1].GetProperty("version").GetInt32()));
        Assert.Equal(created, versions[0].GetProperty("validFrom").GetDateTimeOffset());
        Assert.Equal(changedAt, versions[0].GetProperty("validUntil").GetDateTimeOffset());
        Assert.Equal(changedAt, versions[1].GetProperty("validFrom").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, versions[1].GetProperty("validUntil").ValueKind);
        Assert.NotEqual(versions[0].GetProperty("definitionSha256").GetString(), versions[1].GetProperty("definitionSha256").GetString());
        Assert.Equal("admin", versions[1].GetProperty("changedBy").GetString());

        // The change is audited with the new version and its hash.
        var audit = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={CameraId}&action=MaskVersionCreated");
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Contains(versions[1].GetProperty("definitionSha256").GetString()!, entry.GetProperty("details").GetString(), StringComparison.Ordinal);

        // Footage recorded yesterday is masked with yesterday's mask, today's with today's, across the change with both.
        var masks = _hub.Services.GetRequiredService<IFeedMasks>();
        var camera = (await _hub.Services.GetRequiredService<ICameraDirectory>().FindAsync(CameraId, default))!;
        using var cache = new MaskCache();
        var left = cache.Get([.. LeftHalf.Select(p => (IReadOnlyList<double[]>)p)], 320, 180).Sha256;
        var top = cache.Get([.. TopHalf.Select(p => (IReadOnlyList<double[]>)p)], 320, 180).Sha256;
        Assert.Equal(left, (await masks.GetRecordedAsync(camera, created.AddHours(1), created.AddHours(2), 320, 180, default)).Sha256);
        Assert.Equal(top, (await masks.GetRecordedAsync(camera, changedAt.AddHours(1), changedAt.AddHours(2), 320, 180, default)).Sha256);
        Assert.Equal(top, (await masks.GetAsync(camera, 320, 180, default)).Sha256);
        var across = await masks.GetRecordedAsync(camera, changedAt.AddMinutes(-1), changedAt.AddMinutes(1), 320, 180, default);
        Assert.NotEqual(left, across.Sha256);
        Assert.NotEqual(top, across.Sha256);
        Assert.Contains("v1", across.Versions, StringComparison.Ordinal);
        Assert.Contains("v2", across.Versions, StringComparison.Ordinal);

        // Footage older than the history: nobody can say which mask held, so nothing is shown.
        var older = await Assert.ThrowsAsync<MaskUnavailableException>(() => masks.GetRecordedAsync(camera, created.AddMinutes(-1), created.AddMinutes(1), 320, 180, default));
        Assert.Contains("before its first mask version", older.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_those_who_may_check_the_mask_list_its_versions()
    {
        var traffic = await _hub.SignInAsAsync("traffic");
        Assert.Equal(HttpStatusCode.Forbidden, (await traffic.GetAsync($"/api/cameras/{CameraId}/mask-versions")).StatusCode);
        var admin = await _hub.SignInAsAsync("admin");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/cameras/NO-SUCH-CAMERA/mask-versions")).StatusCode);
    }
}
