using System.Diagnostics;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.CameraMasks;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.CameraMasks;

/// <summary>
/// A real hub on Kestrel (127.0.0.1, free port, system clock) with two real fake cameras (ONVIF on Kestrel, RTSP from
/// GStreamer, 320×180 at 10 fps), each a traffic camera with a privacy polygon over its left half: one draws the Media2
/// masks it is given, one only claims to. The camera-mask watch looks every second. The user <c>traffic</c> may watch both.
/// </summary>
public sealed class CameraMaskHub : IAsyncLifetime
{
    // Ids no other test uses, so the ffmpeg processes counted by their markers are this class's own.
    public const string Applying = "M2T-APPLIES";
    public const string Claiming = "M2T-CLAIMS";
    public const int Width = 320;
    public const int Height = 180;

    public HubFactory Hub { get; private set; } = null!;

    public Uri HttpBase { get; private set; } = null!;

    public SimulatedCamera ApplyingCamera { get; private set; } = null!;

    public SimulatedCamera ClaimingCamera { get; private set; } = null!;

    public static MaskingProfile LeftHalf => new() { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [Width / 2, 0], [Width / 2, Height], [0, Height]]] };

    public async Task InitializeAsync()
    {
        ApplyingCamera = await SimulatedCamera.StartAsync(Options(Applying, FakeMaskSupport.Applied));
        ClaimingCamera = await SimulatedCamera.StartAsync(Options(Claiming, FakeMaskSupport.ClaimedOnly));
        Hub = new HubFactory(realTime: true, settings: new()
        {
            ["CameraHub:CameraMasks:CheckSeconds"] = "1",
            ["CameraHub:CameraMasks:ApplySeconds"] = "1.5",
            ["CameraHub:Broker:IdleGrace"] = "00:00:03",
        });
        HttpBase = Hub.StartOnKestrel();

        await Hub.SeedOrganisationsAsync();
        await Hub.CreateUserAsync("admin", HubRoles.Administrator);
        await Hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        foreach (var camera in new[] { ApplyingCamera, ClaimingCamera })
        {
            await Hub.CreateCameraAsync(Input(camera, LeftHalf));
            await Hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, camera.Options.CameraId, CameraRight.Live);
        }
    }

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        await ApplyingCamera.DisposeAsync();
        await ClaimingCamera.DisposeAsync();
    }

    /// <summary>The registry input of a fake camera: its RTSP and ONVIF addresses and credentials, and the profile.</summary>
    public static CameraInput Input(SimulatedCamera camera, MaskingProfile masking) => SampleCameras.Traffic(camera.Options.CameraId) with
    {
        RtspUrl = camera.RtspUri!.ToString(),
        OnvifUrl = camera.DeviceServiceUri.ToString(),
        Username = camera.Options.Username,
        Password = camera.Options.Password,
        Mode = CameraMode.LiveOnly,
        Masking = masking,
    };

    /// <summary>A client signed in as <paramref name="user"/> talking to the Kestrel address.</summary>
    public Task<HttpClient> ClientAsync(string user = "traffic") => Hub.KestrelClientAsync(HttpBase, user);

    /// <summary>Waits until the hub's view of where the camera masks satisfies <paramref name="condition"/>.</summary>
    public async Task<CameraMaskSite> SiteAsync(string cameraId, Func<CameraMaskSite, bool> condition, TimeSpan? within = null)
    {
        var trust = Hub.Services.GetRequiredService<CameraMaskTrust>();
        var cameras = Hub.Services.GetRequiredService<ICameraDirectory>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < (within ?? TimeSpan.FromSeconds(60)))
        {
            var camera = (await cameras.FindAsync(cameraId, default))!;
            if (trust.Site(cameraId, camera.Masking) is { } site && condition(site))
            {
                return site;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"camera {cameraId}: {trust.Site(cameraId, (await cameras.FindAsync(cameraId, default))!.Masking)?.Reason ?? "never looked at"}");
    }

    /// <summary>Waits for <paramref name="condition"/> (processes come and go asynchronously).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, int seconds = 30)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(seconds), $"not within {seconds} s: {what}");
            await Task.Delay(200);
        }
    }

    private static FakeCameraOptions Options(string id, FakeMaskSupport masks) => new()
    {
        CameraId = id, Name = id, Width = Width, Height = Height, FramesPerSecond = 10, EventService = false, PrivacyMasks = masks,
    };
}
