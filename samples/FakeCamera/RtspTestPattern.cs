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

    private static readonly string[] PrivacyMasksFlag = ["--privacy-masks"];
    private readonly FfmpegProcess _process;
    private readonly SemaphoreSlim _stdin = new(1, 1);
    private int _keyframesForced;

    private RtspTestPattern(FfmpegProcess process, Uri uri)
    {
        _process = process;
        Uri = uri;
    }

    /// <summary>rtsp://127.0.0.1:PORT/stream.</summary>
    public Uri Uri { get; }

    /// <summary>How many keyframes were forced (<see cref="ForceKeyframeAsync"/>).</summary>
    public int KeyframesForced => Volatile.Read(ref _keyframesForced);

    /// <summary>The python process id, for tests that check nothing is left running.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts the server on a free port and returns once it listens; <c>pattern</c> is GStreamer's <c>smpte</c> (with a
    /// noise patch) or <c>smpte100</c> (full-height bars only).
    /// </summary>
    public static async Task<RtspTestPattern> StartAsync(
        string name, int width, int height, int fps, ILogger logger, CancellationToken ct, string pattern = "smpte", bool privacyMasks = false) =>
        await StartAsync(name, width, height, fps, keyframeInterval: 0, pattern, logger, ct, privacyMasks);

    /// <summary>
    /// As above, with <paramref name="keyframeInterval"/> frames from one scheduled keyframe to the next (0: one a
    /// second) and no scene-cut keyframes, so the only other keyframes are the forced ones.
    /// </summary>
    public static async Task<RtspTestPattern> StartAsync(
        string name, int width, int height, int fps, int keyframeInterval, string pattern, ILogger logger, CancellationToken ct, bool privacyMasks = false)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "rtsp_server.py");
        var process = FfmpegProcess.Start(SystemPython,
            [script, "--port", "0", "--address", "127.0.0.1", "--path", "/stream", "--name", name,
             "--width", $"{width}", "--height", $"{height}", "--fps", $"{fps}", "--pattern", pattern,
             "--gop", $"{keyframeInterval}", .. (privacyMasks ? PrivacyMasksFlag : [])],
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

    /// <summary>
    /// Replaces the privacy masks drawn into the picture (started with privacy masks): each a polygon in ONVIF's
    /// normalised coordinates and an RGB fill. The next frames show them.
    /// </summary>
    public async Task DrawMasksAsync(IReadOnlyList<(IReadOnlyList<(double X, double Y)> Points, (int R, int G, int B) Fill)> masks, CancellationToken ct)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(masks.Select(m => new
        {
            points = m.Points.Select(p => new[] { p.X, p.Y }),
            rgb = new[] { m.Fill.R, m.Fill.G, m.Fill.B },
        }));
        await _stdin.WaitAsync(ct);
        try
        {
            await _process.StandardInput.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"masks {json}\n"), ct);
            await _process.StandardInput.FlushAsync(ct);
        }
        finally
        {
            _stdin.Release();
        }
    }

    /// <summary>Has the encoder make its next frame a keyframe (a line "k" to the script), as SetSynchronizationPoint asks.</summary>
    public async Task ForceKeyframeAsync(CancellationToken ct)
    {
        await _stdin.WaitAsync(ct);
        try
        {
            await _process.StandardInput.WriteAsync("k\n"u8.ToArray(), ct);
            await _process.StandardInput.FlushAsync(ct);
            Interlocked.Increment(ref _keyframesForced);
        }
        finally
        {
            _stdin.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(TimeSpan.FromSeconds(2));
        await _process.DisposeAsync();
    }
}
