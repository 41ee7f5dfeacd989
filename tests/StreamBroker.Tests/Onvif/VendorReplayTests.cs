using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Discovery;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>
/// The client's whole probe against each real vendor as captured: the fake camera replays the vendor's bytes, HTTP
/// status and content type, so quirks (HTML 401, faults for unknown actions, missing operations) hit the real code path.
/// </summary>
[Trait("Category", "Integration")]
public sealed class VendorReplayTests
{
    private const string Password = "replay-password";

    public static TheoryData<string, string, string, bool, string[], string?> Vendors => new()
    {
        // fixture prefix, manufacturer, model, clock read, profile tokens, stream URI of the main profile
        { "2BAD_onvif/dvc_DCN-BM2220LPR_", "DVC", "DCN-BM2220LPR", false, [], null },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_", "EZVIZ", "DS-2DE2C400IG-W-W", true, [], null },
        { "ONVIF-Camera-Kotlin/axis_", "AXIS", "M2025-LE", false, ["profile_1_h264", "profile_1_jpeg"], null },
        { "easy_onvif/dlink_DCS-6511_", "D-Link Corporation", "DCS-6511", false, ["Profile1", "Profile2"], null },
        { "easy_onvif/hikvision-oem_ENP1A14_", "ONVIF", "ENP1A14-IR/25X", true, ["Profile_1", "Profile_2", "Profile_3"],
            "rtsp://192.168.1.182/Streaming/Channels/101?transportmode=unicast&profile=Profile_1" },
        { "easy_onvif/ipnc_IPG-8150PSS_", "ONVIF_IPNC", "IPG-8150PSS", false, ["PROFILE_000", "PROFILE_001"], "rtsp://10.200.1.2/live/0/MAIN" },
        { "easy_onvif/uniview-oem_GX728MF-IR28_", "NONE", "GX728MF-IR28", false, [], null },
        { "easy_onvif/uniview-oem_SUNBA-Performance_", "SUNBA", "Performance-Series", true, [], null },
        { "easy_onvif/unknown-gsoap_IPD-H4K8M05-BS_", "", "IPD-H4K8M05-BS", false, [], null },
        { "easy_onvif/xiongmai_XM530-SUNBA405_", "H264", "XM530_50X50-WG_8M", true, ["000", "001"], null },
        { "ex_onvif/milesight_MS-C8165-PE_", "Milesight Technology Co.,Ltd.", "MS-C8165-PE", false, [], null },
    };

    [Theory]
    [MemberData(nameof(Vendors))]
    public async Task Probes_each_recorded_vendor_end_to_end(string prefix, string manufacturer, string model, bool clockRead, string[] profiles, string? streamUri)
    {
        await using var camera = await Replay(prefix);

        var result = await Client(camera, Password).ProbeAsync(CancellationToken.None);

        Assert.Equal(manufacturer, result.Information.Manufacturer);
        Assert.Equal(model, result.Information.Model);
        Assert.Equal(clockRead, result.ClockSkew is not null);
        Assert.Equal(profiles, result.Profiles.Select(p => p.Token));
        Assert.Equal(streamUri, result.MainProfile?.StreamUri);
        // Whatever the device advertised, every service call stayed on the address we reached it at.
        Assert.Equal(camera.DeviceServiceUri.Authority, result.Services.Device.Authority);
        Assert.All(new[] { result.Services.Media, result.Services.Media2, result.Services.Recording }.OfType<Uri>(),
            u => Assert.Equal(camera.DeviceServiceUri.Authority, u.Authority));
    }

    [Fact]
    public async Task Hikvision_family_probe_finds_the_snapshot_and_the_profile_g_recording()
    {
        await using var camera = await Replay("easy_onvif/hikvision-oem_ENP1A14_");

        var result = await Client(camera, Password).ProbeAsync(CancellationToken.None);

        Assert.Equal("http://192.168.1.182/onvif-http/snapshot?Profile_1", result.Profiles[0].SnapshotUri);
        var recording = Assert.Single(result.Recordings);
        Assert.Equal("OnvifRecordingToken_1", recording.Token);
        Assert.Contains(result.Warnings, w => w.StartsWith("GetReplayUri:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ezviz_with_a_wrong_password_is_not_authorized_in_its_own_html_words()
    {
        await using var camera = await Replay("2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_");

        var error = await Assert.ThrowsAsync<OnvifNotAuthorizedException>(() => Client(camera, "wrong").ProbeAsync(CancellationToken.None));

        Assert.Contains("This onvif request requires authentication information", error.Message);
        Assert.Null(error.Fault);
    }

    [Fact]
    public async Task Dvc_with_a_wrong_password_is_not_authorized_from_its_soap_fault()
    {
        await using var camera = await Replay("2BAD_onvif/dvc_DCN-BM2220LPR_");

        var error = await Assert.ThrowsAsync<OnvifNotAuthorizedException>(() => Client(camera, "wrong").ProbeAsync(CancellationToken.None));

        Assert.Equal("HTTP Error: 401 Unauthorized", error.DeviceText);
    }

    [Fact]
    public async Task Discovery_replays_a_vendors_captured_probe_match()
    {
        await using var camera = await Replay("ONVIF-Camera-Kotlin/axis_");

        var device = Assert.Single(await new WsDiscoveryProbe(TimeProvider.System).ProbeAsync(camera.DiscoveryEndpoint, TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal("AXIS M2025-LE", device.Name);
        Assert.Equal(4, device.XAddrs.Count);
    }

    private static Task<SimulatedCamera> Replay(string prefix) =>
        SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = prefix,
            Password = Password,
            Replay = VendorReplay.Load(Fixture.Directory, prefix),
        });

    private static OnvifClient Client(SimulatedCamera camera, string password) =>
        new(new HttpClient(), camera.DeviceServiceUri, new OnvifCredentials(camera.Options.Username, password), TimeProvider.System);
}
