using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Processes;

/// <summary>
/// One ffmpeg (or ffprobe) child process as live relay, recording, masking and export use it: arguments as a list
/// (never one string), stderr to the logger with the tail kept for error messages, stdout and stdin as pipes,
/// graceful stop ('q' on stdin) then a kill of the whole process tree, and the exit code always reported.
/// </summary>
public sealed partial class FfmpegProcess : IAsyncDisposable
{
    private const int TailLines = 30;
    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stderrPump;
    private readonly bool _stdinIsMedia;
    private int _stopping;
    private readonly Activity? _activity;

    /// <summary>The activity source of the process lifecycle spans (one span from start to exit per process).</summary>
    public const string ActivitySourceName = "CameraHub.Processes";

    private static readonly ActivitySource Activities = new(ActivitySourceName);

    private FfmpegProcess(Process process, ILogger logger, string name, bool stdinIsMedia)
    {
        // The span lasts as long as the process; it must not become the parent of whatever the caller does next.
        var caller = Activity.Current;
        _activity = Activities.StartActivity($"ffmpeg {name}");
        _activity?.SetTag("process.pid", process.Id);
        Activity.Current = caller;
        _process = process;
        _logger = logger;
        Name = name;
        _stdinIsMedia = stdinIsMedia;
        _stderrPump = Task.Run(PumpStderrAsync);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _ = ReportExitAsync();
        if (process.HasExited)
        {
            _ = ReportExitAsync();
        }
    }

    /// <summary>A label for logs, e.g. "upstream TRF-001".</summary>
    public string Name { get; }

    /// <summary>The OS process id (for tests counting processes and for diagnostics).</summary>
    public int Id => _process.Id;

    /// <summary>ffmpeg's stdout (e.g. fragmented MP4 on pipe:1).</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>ffmpeg's stdin (e.g. raw frames on pipe:0).</summary>
    public Stream StandardInput => _process.StandardInput.BaseStream;

    /// <summary>Completes with the exit code when the process ends, however it ends.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The last lines ffmpeg wrote to stderr, credentials blanked, for error messages.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="executable"/> (ffmpeg, ffprobe) with <paramref name="arguments"/>. With
    /// <paramref name="stdinIsMedia"/> stdin carries the input (pipe:0): <see cref="StopAsync"/> then must not type 'q'
    /// into the media; whoever writes stdin ends the input by closing it, and the stop waits for that before killing.
    /// </summary>
    public static FfmpegProcess Start(string executable, IEnumerable<string> arguments, ILogger logger, string name, bool stdinIsMedia = false)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        logger.LogDebug("{Name}: started {Executable} (pid {Pid})", name, executable, process.Id);
        return new FfmpegProcess(process, logger, name, stdinIsMedia);
    }

    /// <summary>Asks ffmpeg to finish ('q'), waits up to <paramref name="grace"/>, then kills the process tree.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0 && !_stdinIsMedia && !_process.HasExited)
        {
            try
            {
                await _process.StandardInput.WriteAsync("q");
                await _process.StandardInput.FlushAsync();
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // stdin already closed: ffmpeg is on its way out.
            }
            catch (ObjectDisposedException)
            {
            }
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            return await Exited.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            return await Exited;
        }
    }

    /// <summary>Kills the process and its children at once.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } raw)
            {
                var line = WithoutCredentials(raw);
                lock (_tail)
                {
                    _tail.Enqueue(line);
                    if (_tail.Count > TailLines)
                    {
                        _tail.Dequeue();
                    }
                }

                _logger.LogDebug("{Name}: {Line}", Name, line);
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// ffmpeg names its input in errors ("rtsp://viewer:secret@10.0.0.5/stream1: Connection refused"), and those lines
    /// become logs and the offline reason viewers see: every URL's user information is blanked before either.
    /// </summary>
    public static string WithoutCredentials(string line) => UrlUserInfo().Replace(line, "${scheme}***@");

    [GeneratedRegex(@"(?<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")]
    private static partial Regex UrlUserInfo();

    private async Task ReportExitAsync()
    {
        try
        {
            await _stderrPump.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
        }

        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        if (_exited.TrySetResult(code))
        {
            _activity?.SetTag("process.exit.code", code);
            if (code != 0 && Volatile.Read(ref _stopping) == 0)
            {
                _activity?.SetStatus(ActivityStatusCode.Error, FfmpegDiagnostics.LastMeaningfulLine(Tail));
            }

            _activity?.Dispose();
            if (code == 0 || Volatile.Read(ref _stopping) == 1)
            {
                _logger.LogDebug("{Name}: exited with code {Code}", Name, code);
            }
            else
            {
                _logger.LogWarning("{Name}: exited with code {Code}: {Line}", Name, code, FfmpegDiagnostics.LastMeaningfulLine(Tail) ?? "(nothing but start-up warnings)");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        try
        {
            await Exited.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _process.Dispose();
    }
}
