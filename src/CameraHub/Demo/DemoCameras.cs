using CameraHub.CameraRegistry.Cameras;
using CameraHub.Composition;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Onvif.Probing;
using Microsoft.Extensions.Options;

namespace CameraHub.Demo;

/// <summary>
/// In demo mode, runs a handful of simulated cameras on 127.0.0.1 (ONVIF device plus GStreamer RTSP test pattern)
/// and points the sample city's matching registry entries at them, so a new user sees live video at once.
/// </summary>
public sealed class DemoCameras(IServiceProvider services, IOptions<HubOptions> options, ILoggerFactory loggers, ILogger<DemoCameras> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>
    /// Sample-city cameras that get a real (simulated) device: traffic (TRF-004 with privacy polygons over the pavement,
    /// so the traffic wall shows masking at once), tunnel, a square, a school, a garage.
    /// </summary>
    public static readonly (string Id, string Name)[] Cameras =
    [
        ("TRF-001", "Trafikkamera E6 1"), ("TRF-002", "Trafikkamera Götaleden 2"), ("TRF-003", "Trafikkamera Lundbyleden 3"),
        ("TRF-004", "Trafikkamera Rv40 4"),
        ("TEK-001", "Tingstadstunneln 1"), ("OTR-001", "Järntorget"), ("SKO-001-K01", "Skola 1 kamera 1"), ("GAR-001-K01", "Garage 1 kamera 1"),
        ("TRY-001", "Trygghetskamera 1"),
    ];

    /// <summary>Cameras whose sample-city polygons are drawn on a 1280×720 picture: their fake device streams that size.</summary>
    private static readonly HashSet<string> Hd = ["TRF-004", "OTR-001"];

    private FakeCameraFleet? _fleet;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Demo || !options.Value.DemoCameras)
        {
            return;
        }

        try
        {
            _fleet = await FakeCameraFleet.StartAsync(
                Cameras.Select(c => Hd.Contains(c.Id)
                    ? new FakeCameraOptions { CameraId = c.Id, Name = c.Name, Width = 1280, Height = 720 }
                    : new FakeCameraOptions { CameraId = c.Id, Name = c.Name }),
                loggers, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // The hub still serves the registry without fake video (e.g. GStreamer missing); say why.
            logger.LogWarning(ex, "Demo cameras could not start; live video will be unavailable");
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var catalogue = scope.ServiceProvider.GetRequiredService<CameraCatalogue>();
        var prober = scope.ServiceProvider.GetRequiredService<CameraProber>();
        foreach (var camera in _fleet.Cameras)
        {
            await catalogue.ConnectAsync(camera.CameraId, camera.OnvifUrl.ToString(), camera.RtspUrl?.ToString(), camera.Username, camera.Password, "demo-cameras", cancellationToken);
            await prober.ProbeAsync(camera.CameraId, "demo-cameras", null, cancellationToken);
        }

        logger.LogInformation("Demo cameras running: {Cameras}", string.Join(", ", _fleet.Cameras.Select(c => $"{c.CameraId} {c.RtspUrl}")));
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
            _fleet = null;
        }
    }
}
