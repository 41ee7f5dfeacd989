using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.CameraMasks;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Masking;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.CameraMasks;

/// <summary>
/// A façade camera masked at the camera (issue #14): a fake camera (1280×720, Media2 masks drawn into its picture,
/// 8 masks of 32 points) with the sample school calibration gets the façade mask as convex polygons that cover every
/// obscured pixel, its own stream passes the verification, and the hub relays it with one <c>-c copy</c> upstream and no
/// masking encoder; frames decoded from live show every obscured pixel as fill.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FacadeCameraMaskTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Camera = "M2T-FACADE";
    private const int Width = 1280;
    private const int Height = 720;

    [Fact]
    public async Task A_facade_camera_is_given_its_mask_as_polygons_verified_and_relayed_with_copy()
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = Camera, Name = Camera, Width = Width, Height = Height, FramesPerSecond = 10, EventService = false,
            PrivacyMasks = FakeMaskSupport.Applied, MaxMasks = 8, MaxMaskPoints = 32,
        });
        await using var hub = new HubFactory(realTime: true, settings: new()
        {
            ["CameraHub:CameraMasks:CheckSeconds"] = "1",
            ["CameraHub:CameraMasks:ApplySeconds"] = "1.5",
            ["CameraHub:Broker:IdleGrace"] = "00:00:03",
        });
        var baseAddress = hub.StartOnKestrel();
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        await hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await hub.CreateCameraAsync(CameraMaskHub.Input(camera, new MaskingProfile { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 }));
        await hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Camera, CameraRight.Live);
        using var admin = await hub.KestrelClientAsync(baseAddress, "admin");
        var calibration = JsonNode.Parse(await File.ReadAllTextAsync(MaskedPathsHub.SampleCalibration()))!.AsObject();
        calibration["cameraId"] = Camera;
        using (var saved = await admin.PutAsJsonAsync($"api/cameras/{Camera}/calibration", calibration))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        using var traffic = await hub.KestrelClientAsync(baseAddress, "traffic");
        var trust = hub.Services.GetRequiredService<CameraMaskTrust>();
        var source = (await hub.Services.GetRequiredService<ICameraDirectory>().FindAsync(Camera, default))!;
        var paths = hub.Services.GetRequiredService<PathManager>();
        var first = await LiveReader.OpenAsync(traffic, Camera);
        var watch = Stopwatch.StartNew();
        CameraMaskSite? site = null;
        while (site is not { AtCamera: true })
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"not verified within 90 s: {trust.Site(Camera, source.Masking)?.Reason}");
            await Task.Delay(200);
            site = trust.Site(Camera, source.Masking);
        }

        output.WriteLine($"verified: {site.Reason}; the camera holds {camera.Masks!.Masks.Count} masks of {string.Join('/', camera.Masks.Masks.Select(m => m.Polygon.Count))} points");
        Assert.InRange(camera.Masks.Masks.Count, 1, 8);
        Assert.All(camera.Masks.Masks, m => Assert.InRange(m.Polygon.Count, 3, 32));

        await using var trusted = await LiveReader.OpenAsync(traffic, Camera);
        await first.DisposeAsync();
        await CameraMaskHub.EventuallyAsync(() => paths.Find(MaskedFeeds.MaskedFeedKey(Camera)) is null && Processes.WithMarker(MaskedFeedArguments.Marker(Camera)).Count == 0,
            "the hub's masked feed closes once its first reader has gone");

        using var opened = await traffic.PostAsync($"api/cameras/{Camera}/live", null);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;
        Assert.True(session.Masked);
        var (file, _) = await MaskedPathsHub.RecordWebSocketAsync(new Uri(session.WebSocketUrl), 12);
        try
        {
            var upstreams = Processes.WithMarker(UpstreamArguments.Marker(Camera));
            Assert.Single(upstreams);
            Assert.Contains("-c copy", File.ReadAllText($"/proc/{upstreams[0]}/cmdline").Replace('\0', ' '), StringComparison.Ordinal);
            Assert.Empty(Processes.WithMarker(MaskedFeedArguments.Marker(Camera)));
            var frame = await MaskedFrames.LastGreyAsync(Width, Height, file);
            using var mask = await admin.GetAsync($"api/cameras/{Camera}/mask.png?width={Width}&height={Height}");
            var obscure = (await MaskedFrames.ObscuredAsync(await mask.Content.ReadAsByteArrayAsync(), Width, Height)).Select(o => o ? (byte)1 : (byte)0).ToArray();
            var verdict = CameraMaskVerifier.Judge(frame, obscure, Width, Height, fillLuma: 128);
            output.WriteLine($"live frame: {verdict.Reason}");
            Assert.True(verdict.Passed, verdict.Reason);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
