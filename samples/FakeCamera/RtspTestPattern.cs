using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging;

namespace CameraHub.FakeCamera;

/// <summary>
/// A real RTSP server (GStreamer's, through rtsp_server.py and the system Python) streaming a moving H.264 test
/// pattern with the camera name and a clock burned in. Disposing kills the whole process tree.
/// </summary>
public sealed class RtspTestPattern : IAsyncDisposable
{
    /// <summary>The interpreter that has GStreamer's GI bindings (a pyenv python3 earlier on PATH usually has not).</summary>
    public const string SystemPython = "/usr/bin/python3";

    private readonly FfmpegProcess _process;

    private RtspTestPattern(FfmpegProcess process, Uri uri)
    {
        _process = process;
        Uri = uri;
    }

    /// <summary>rtsp://127.0.0.1:PORT/stream.</summary>
    public Uri Uri { get; }

    /// <summary>The python process id, for tests that check nothing is left running.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts the server on a free port and returns once it listens; <c>pattern</c> is GStreamer's <c>smpte</c> (with a
    /// noise patch) or <c>smpte100</c> (full-height bars only).
    /// </summary>
    public static async Task<RtspTestPattern> StartAsync(string name, int width, int height, int fps, ILogger logger, CancellationToken ct, string pattern = "smpte")
    {
        var script = Path.Combine(AppContext.BaseDirectory, "rtsp_server.py");
        var process = FfmpegProcess.Start(SystemPython,
            [script, "--port", "0", "--address", "127.0.0.1", "--path", "/stream", "--name", name,
             "--width", $"{width}", "--height", $"{height}", "--fps", $"{fps}", "--pattern", pattern],
            logger, $"rtsp {name}");
        try
        {
            using var reader = new StreamReader(process.StandardOutput, leaveOpen: true);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            // The script says READY once it has bound its port: no polling, no guessing.
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("READY ", StringComparison.Ordinal))
                {
                    return new RtspTestPattern(process, new Uri($"rtsp://127.0.0.1:{line[6..].Trim()}/stream"));
                }

                if (line.StartsWith("FAILED", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"the RTSP test pattern for {name} did not start: {line}");
                }
            }

            throw new InvalidOperationException($"the RTSP test pattern for {name} exited before listening: {process.Tail}");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(TimeSpan.FromSeconds(2));
        await _process.DisposeAsync();
    }
}
