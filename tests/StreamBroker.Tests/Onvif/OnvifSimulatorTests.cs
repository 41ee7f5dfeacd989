using System.Diagnostics;
using System.Text.Json;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Discovery;
using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>Our client, ffprobe and the npm 'onvif' client against the fake camera, end to end over 127.0.0.1.</summary>
[Trait("Category", "Integration")]
[Collection(SharedSimulator.Name)]
public sealed class OnvifSimulatorTests(SimulatorFixture simulator)
{
    private SimulatedCamera Camera => simulator.Camera;

    [Fact]
    public async Task Probe_reads_identity_profile_stream_and_snapshot_of_the_fake_camera()
    {
        var result = await Client(Camera, Camera.Options.Password).ProbeAsync(CancellationToken.None);

        Assert.Equal(("CameraHub", "FakeCam 1", "1.2.3", "SIM-001"),
            (result.Information.Manufacturer, result.Information.Model, result.Information.FirmwareVersion, result.Information.SerialNumber));
        var profile = Assert.Single(result.Profiles);
        Assert.Equal(("H264", 640, 360), (profile.Encoding, profile.Width, profile.Height));
        Assert.Equal(Camera.RtspUri!.ToString(), profile.StreamUri);
        Assert.EndsWith("/snapshot.jpg", profile.SnapshotUri);
        Assert.InRange(result.ClockSkew!.Value.TotalSeconds, -2, 2);
        Assert.NotNull(result.Services.Media2);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_not_authorized_error()
    {
        var error = await Assert.ThrowsAsync<OnvifNotAuthorizedException>(() => Client(Camera, "fel-lösenord").ProbeAsync(CancellationToken.None));

        Assert.Equal("GetDeviceInformation", error.Operation);
        Assert.Contains("refused the credentials", error.Message);
        Assert.Contains("wrong username or password", error.DeviceText);
        Assert.True(error.Fault!.Has("NotAuthorized"));
    }

    [Fact]
    public async Task Ffprobe_reads_an_h264_stream_from_the_fake_cameras_rtsp_server()
    {
        var (code, output, errors) = await Tool.RunApartAsync("ffprobe",
            ["-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", Camera.RtspUri!.ToString()],
            TimeSpan.FromSeconds(30));

        Assert.True(code == 0, errors);
        Assert.Equal("h264,640,360", output.Trim());
    }

    [Fact]
    public async Task The_snapshot_uri_serves_a_jpeg_of_the_stream()
    {
        var result = await Client(Camera, Camera.Options.Password).ProbeAsync(CancellationToken.None);
        using var http = new HttpClient();

        using var response = await http.GetAsync(result.Profiles[0].SnapshotUri);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0xFF, 0xD8], bytes[..2]);
    }

    [Fact]
    public async Task The_independent_npm_onvif_client_reads_device_information_and_stream_uri()
    {
        var peer = await PeerTools.OnvifPeerAsync();

        var (code, output, errors) = await Tool.RunApartAsync("node",
            ["read-camera.js", "127.0.0.1", $"{Camera.DeviceServiceUri.Port}", "admin", Camera.Options.Password], TimeSpan.FromSeconds(30), peer);

        Assert.True(code == 0, output + errors);
        using var json = JsonDocument.Parse(output);
        var info = json.RootElement.GetProperty("deviceInformation");
        Assert.Equal("CameraHub", info.GetProperty("manufacturer").GetString());
        Assert.Equal("FakeCam 1", info.GetProperty("model").GetString());
        Assert.Equal("SIM-001", info.GetProperty("serialNumber").GetString());
        Assert.Equal(Camera.RtspUri!.ToString(), json.RootElement.GetProperty("streamUri").GetString());
    }

    [Fact]
    public async Task The_npm_onvif_client_is_refused_with_a_wrong_password()
    {
        var peer = await PeerTools.OnvifPeerAsync();

        var (code, output, _) = await Tool.RunApartAsync("node",
            ["read-camera.js", "127.0.0.1", $"{Camera.DeviceServiceUri.Port}", "admin", "wrong"], TimeSpan.FromSeconds(30), peer);

        Assert.Equal(1, code);
        Assert.Contains("not Authorized", output);
    }

    [Fact]
    public async Task A_directed_discovery_probe_finds_the_camera_with_its_address_and_name()
    {
        var devices = await new WsDiscoveryProbe(TimeProvider.System).ProbeAsync(Camera.DiscoveryEndpoint, TimeSpan.FromSeconds(1), CancellationToken.None);

        var device = Assert.Single(devices);
        Assert.Equal(Camera.DeviceServiceUri, Assert.Single(device.XAddrs));
        Assert.Equal("Simulatorn Hisingsbron", device.Name);
        Assert.Equal("FakeCam 1", device.Hardware);
        Assert.Contains("NetworkVideoTransmitter", string.Join(' ', device.Types));
    }

    internal static OnvifClient Client(SimulatedCamera camera, string password) =>
        new(new HttpClient(), camera.DeviceServiceUri, new OnvifCredentials(camera.Options.Username, password), TimeProvider.System);
}

/// <summary>Cameras with their own quirks (clock, HTTP Digest) and the fleet's process hygiene.</summary>
[Trait("Category", "Integration")]
public sealed class OnvifCameraQuirkTests
{
    [Fact]
    public async Task A_camera_clock_90_seconds_ahead_still_authenticates_and_the_skew_is_reported()
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = "SKEW-1", ClockOffset = TimeSpan.FromSeconds(90), StartRtsp = false });

        var result = await OnvifSimulatorTests.Client(camera, camera.Options.Password).ProbeAsync(CancellationToken.None);

        Assert.InRange(result.ClockSkew!.Value.TotalSeconds, 88, 92);
        Assert.Equal("SKEW-1", result.Information.SerialNumber);
    }

    [Fact]
    public async Task Without_reading_the_clock_first_the_same_camera_refuses_the_token()
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = "SKEW-2", ClockOffset = TimeSpan.FromSeconds(90), StartRtsp = false });

        var error = await Assert.ThrowsAsync<OnvifNotAuthorizedException>(
            () => OnvifSimulatorTests.Client(camera, camera.Options.Password).GetDeviceInformationAsync(CancellationToken.None));

        Assert.Contains("away from the camera clock", error.DeviceText);
    }

    [Fact]
    public async Task A_profile_g_camera_lists_its_recording_with_a_replay_uri()
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = "REC-1", Name = "Arkivkamera", RecordsOnboard = true, StartRtsp = false });

        var result = await OnvifSimulatorTests.Client(camera, camera.Options.Password).ProbeAsync(CancellationToken.None);

        var recording = Assert.Single(result.Recordings);
        Assert.Equal(("Recording_1", "Arkivkamera"), (recording.Token, recording.SourceName));
        Assert.Equal(["Video"], recording.TrackTypes);
        Assert.Equal("rtsp://127.0.0.1:554/REC-1/replay", recording.ReplayUri);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task A_camera_that_wants_http_digest_gets_it()
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = "DIGEST-1", RequireHttpDigest = true, StartRtsp = false });

        var result = await OnvifSimulatorTests.Client(camera, camera.Options.Password).ProbeAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<OnvifNotAuthorizedException>(
            () => OnvifSimulatorTests.Client(camera, "wrong").GetDeviceInformationAsync(CancellationToken.None));

        Assert.Equal("DIGEST-1", result.Information.SerialNumber);
        Assert.Single(result.Profiles);
        Assert.Contains("HTTP Digest", refused.DeviceText);
    }

    [Fact]
    public async Task A_fleet_runs_several_cameras_on_their_own_ports_and_leaves_no_process_behind()
    {
        int[] pids;
        await using (var fleet = await FakeCameraFleet.StartAsync([("FLEET-1", "Fleet camera Vågen 1"), ("FLEET-2", "Fleet camera Vågen 2")]))
        {
            Assert.Equal(2, fleet.Cameras.Select(c => c.OnvifUrl.Port).Distinct().Count());
            Assert.Equal(2, fleet.Cameras.Select(c => c.RtspUrl!.Port).Distinct().Count());
            foreach (var camera in fleet.Cameras)
            {
                var client = new OnvifClient(new HttpClient(), camera.OnvifUrl, new OnvifCredentials(camera.Username, camera.Password), TimeProvider.System);
                Assert.Equal(camera.CameraId, (await client.GetDeviceInformationAsync(CancellationToken.None)).SerialNumber);
            }

            pids = [.. Process.GetProcesses().Where(p => IsRtspServer(p)).Select(p => p.Id)];
            Assert.Equal(2, pids.Length);
        }

        Assert.DoesNotContain(Process.GetProcesses(), p => pids.Contains(p.Id) && !p.HasExited);
    }

    private static bool IsRtspServer(Process process)
    {
        try
        {
            // Only this test's cameras: other tests run their own fake cameras at the same time.
            var commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline");
            return commandLine.Contains("rtsp_server.py", StringComparison.Ordinal) && commandLine.Contains("Fleet camera", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
