using Microsoft.Extensions.Logging;

namespace CameraHub.FakeCamera;

/// <summary>Where one running fake camera can be reached.</summary>
public sealed record FakeCameraEndpoints(string CameraId, Uri OnvifUrl, Uri? RtspUrl, System.Net.IPEndPoint DiscoveryEndpoint, string Username, string Password);

/// <summary>
/// Several fake cameras at once, for the demo city and for tests: each on its own free ports on 127.0.0.1.
/// Disposing the fleet stops every camera and its RTSP server.
/// </summary>
public sealed class FakeCameraFleet : IAsyncDisposable
{
    private readonly List<SimulatedCamera> _cameras;

    private FakeCameraFleet(List<SimulatedCamera> cameras) => _cameras = cameras;

    /// <summary>The running cameras' addresses, in the order asked for.</summary>
    public IReadOnlyList<FakeCameraEndpoints> Cameras =>
    [
        .. _cameras.Select(c => new FakeCameraEndpoints(c.Options.CameraId, c.DeviceServiceUri, c.RtspUri, c.DiscoveryEndpoint, c.Options.Username, c.Options.Password)),
    ];

    /// <summary>Starts one camera per (id, name); credentials default to admin / fake-camera.</summary>
    public static Task<FakeCameraFleet> StartAsync(IEnumerable<(string CameraId, string Name)> cameras, ILoggerFactory? loggers = null, CancellationToken ct = default) =>
        StartAsync(cameras.Select(c => new FakeCameraOptions { CameraId = c.CameraId, Name = c.Name }), loggers, ct);

    /// <summary>Starts the cameras one after the other (each spawns a GStreamer process; two cores are shared).</summary>
    public static async Task<FakeCameraFleet> StartAsync(IEnumerable<FakeCameraOptions> cameras, ILoggerFactory? loggers = null, CancellationToken ct = default)
    {
        var started = new List<SimulatedCamera>();
        try
        {
            foreach (var options in cameras)
            {
                started.Add(await SimulatedCamera.StartAsync(options, loggers, ct: ct));
            }

            return new FakeCameraFleet(started);
        }
        catch
        {
            await new FakeCameraFleet(started).DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var camera in _cameras)
        {
            await camera.DisposeAsync();
        }

        _cameras.Clear();
    }
}
