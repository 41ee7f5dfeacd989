using System.Diagnostics;
using System.Globalization;
using CameraHub.Tests.Shared;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Cheap fake cameras: one small pre-encoded clip (320×180, 10 fps, a keyframe a second, no B-frames) published in a
/// loop by ffmpeg to one rtsp-server-perl per camera on 127.0.0.1 (RTSP over UDP, its control connection over TCP).
/// Each camera has its own client port, so the RTSP sessions a camera serves are counted at the camera side: the
/// established TCP connections to that port.
/// </summary>
public sealed class LoopedCameras : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"camerahub-looped-{Guid.NewGuid():N}");

    /// <summary>Each camera's RTSP URL and the port its sessions are counted on.</summary>
    public IReadOnlyList<(Uri Url, int Port)> Cameras { get; private set; } = [];

    /// <summary>rtsp-server-perl as a one-liner whose first argument is the first UDP port of its RTP sockets.</summary>
    private const string Relay = "use AnyEvent; use RTSP::Server; $RTSP::Server::RTP_START_PORT = shift @ARGV; "
        + "my $s = RTSP::Server->new_with_options(rtp_start_port => $RTSP::Server::RTP_START_PORT); $s->listen; AnyEvent->condvar->recv;";

    public static async Task<LoopedCameras> StartAsync(int count)
    {
        var cameras = new LoopedCameras();
        try
        {
            await cameras.StartAllAsync(count);
            return cameras;
        }
        catch
        {
            await cameras.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(int count)
    {
        Directory.CreateDirectory(_directory);
        var clip = Path.Combine(_directory, "clip.mp4");
        using (var encode = Process.Start(Info("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10", "-t", "6", "-c:v", "libx264",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-bf", "0", "-g", "10", "-an", clip))!)
        {
            await encode.WaitForExitAsync();
            Assert.True(encode.ExitCode == 0 && File.Exists(clip), "encoding the looped camera clip failed");
        }

        var cameras = new List<(Uri, int)>();
        // Each relay gets its own UDP range for its RTP sockets: they all start at 20000 otherwise and collide (the
        // server's --rtp_start_port is reset to its package default before the first mount, hence the variable).
        var rtpBase = 30000 + (Random.Shared.Next(0, 100) * 200);
        for (var i = 0; i < count; i++)
        {
            var client = ClusterEngines.FreePort();
            var source = ClusterEngines.FreePort();
            Keep(Info("perl", "-e", Relay, (rtpBase + (i * 200)).ToString(CultureInfo.InvariantCulture),
                "-c", client.ToString(CultureInfo.InvariantCulture), "-s", source.ToString(CultureInfo.InvariantCulture),
                "--client_listen_address", "127.0.0.1", "--source_listen_address", "127.0.0.1"));
            await ListeningAsync(client);
            await ListeningAsync(source);
            Keep(Info("ffmpeg", "-nostdin", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "rtsp", $"rtsp://127.0.0.1:{source}/cam"));
            cameras.Add((new Uri($"rtsp://127.0.0.1:{client}/cam"), client));
        }

        Cameras = cameras;
    }

    private static ProcessStartInfo Info(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    private void Keep(ProcessStartInfo info)
    {
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private static async Task ListeningAsync(int port)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail($"rtsp-server-perl did not listen on {port} within 30 s");
    }

    /// <summary>The RTSP sessions each camera serves now: established TCP connections whose local port is the camera's.</summary>
    public IReadOnlyList<int> Sessions()
    {
        var established = new Dictionary<int, int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == "01")
                {
                    var port = int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    established[port] = established.GetValueOrDefault(port) + 1;
                }
            }
        }

        return [.. Cameras.Select(c => established.GetValueOrDefault(c.Port))];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
                // never started or already gone
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // /tmp is cleaned anyway
        }
    }
}
