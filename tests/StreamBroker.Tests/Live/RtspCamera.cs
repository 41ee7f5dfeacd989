using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>
/// A real RTSP camera for tests: the GStreamer RTSP server (system /usr/bin/python3) on 127.0.0.1 serving a small
/// live H.264 test pattern over TCP and UDP. Can be restarted on the same port to simulate a camera reboot.
/// </summary>
public sealed class RtspCamera : IAsyncDisposable
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Live", "rtsp_camera.py");
    private readonly string _path;
    private readonly int _width;
    private readonly int _height;
    private readonly int _fps;
    private readonly int _kbits;
    private readonly (string User, string Password)? _login;
    private Process? _server;

    private RtspCamera(int port, string path, int width, int height, int fps, int kbits, (string, string)? login)
    {
        _kbits = kbits;
        _login = login;
        Port = port;
        _path = path;
        _width = width;
        _height = height;
        _fps = fps;
    }

    public int Port { get; }

    public string Url => $"rtsp://127.0.0.1:{Port}/{_path}";

    /// <summary>Starts the camera; with <paramref name="login"/> it serves only that user (RTSP Basic authentication, 401 for others).</summary>
    public static async Task<RtspCamera> StartAsync(
        string path = "cam", int width = 320, int height = 240, int fps = 10, int kbits = 500, (string User, string Password)? login = null)
    {
        var camera = new RtspCamera(FreePort(), path, width, height, fps, kbits, login);
        await camera.StartServerAsync();
        return camera;
    }

    /// <summary>A TCP port nobody listens on (for "connection refused").</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the server (every RTSP session drops), as a camera losing power does.</summary>
    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
        }
    }

    public async Task StartServerAsync()
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Script, Port.ToString(), _path, _width.ToString(), _height.ToString(), _fps.ToString(), _kbits.ToString() })
        {
            info.ArgumentList.Add(a);
        }

        if (_login is { } login)
        {
            info.ArgumentList.Add(login.User);
            info.ArgumentList.Add(login.Password);
        }

        // The port may still be in TIME_WAIT right after a restart: retry a few times.
        for (var attempt = 0; ; attempt++)
        {
            var server = Process.Start(info)!;
            server.ErrorDataReceived += (_, _) => { };
            server.BeginErrorReadLine();
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
            if (line == "ready")
            {
                _server = server;
                return;
            }

            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
            if (attempt >= 5)
            {
                throw new InvalidOperationException($"the GStreamer RTSP camera did not start: {line}");
            }

            await Task.Delay(500);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
