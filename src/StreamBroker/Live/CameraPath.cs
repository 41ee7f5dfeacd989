using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// One camera's upstream and its readers (mediamtx's "path"): one ffmpeg pulling RTSP with -c copy, its fMP4 output
/// parsed into a <see cref="FragmentBuffer"/> and offered to every reader's queue. Reconnects with backoff when the
/// camera drops; the owning <see cref="PathManager"/> closes it after the idle grace. A derived feed (the masked
/// re-encode for partners) is a path too, with another <see cref="IPathSource"/>, so readers treat both alike.
/// </summary>
public sealed class CameraPath : IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IBrokerEvents _events;
    private readonly IPathSource _source;
    private readonly IKeyframeRequests _keyframes;
    private readonly Lock _gate = new();
    private readonly List<Viewer> _viewers = [];
    private readonly List<IPathRecorder> _recorders = [];
    private readonly FragmentBuffer _buffer;
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private CancellationTokenSource _retryNow = new();
    private FfmpegProcess? _running;
    private int _retargets;
    private int _upstreamStarts;
    private long _bytesIn;
    private long _droppedByDeparted;
    private long _fragmentsIn;
    private int _keyframesRequested;
    private TaskCompletionSource? _firstKeyframe;

    internal CameraPath(
        string key, CameraSource camera, IPathSource source, BrokerOptions options, ILogger logger, TimeProvider time, IBrokerEvents events,
        IKeyframeRequests? keyframes = null)
    {
        _keyframes = keyframes ?? new NoKeyframeRequests();
        Key = key;
        Camera = camera;
        _source = source;
        _options = options;
        _logger = logger;
        _time = time;
        _events = events;
        _buffer = new FragmentBuffer(options.HlsSegmentCount);
        Status = new CameraStatusEvent(camera.Id, CameraLiveState.Connecting, null, time.GetUtcNow());
        StartedAt = time.GetTimestamp();
    }

    /// <summary>The path's name in the <see cref="PathManager"/>: the camera id, or a derived feed's key.</summary>
    public string Key { get; }

    /// <summary>The camera's registry entry as last seen (see <see cref="Retarget"/>).</summary>
    public CameraSource Camera { get; private set; }

    /// <summary>True for the camera's own upstream; false for a derived feed (the masked re-encode).</summary>
    public bool IsCameraUpstream => _source.IsCameraUpstream;

    public CameraStatusEvent Status { get; private set; }

    /// <summary>How many ffmpeg processes this path has started (1 unless the camera dropped).</summary>
    public int UpstreamStarts => Volatile.Read(ref _upstreamStarts);

    /// <summary>Raised under the path's lock when the upstream sends a new init (a reconnect), before any of its pictures go out.</summary>
    internal event Action<CameraPath>? Reconnected;

    /// <summary>Keyframe requests the camera accepted since the path opened (see <see cref="IKeyframeRequests"/>).</summary>
    public int KeyframesRequested => Volatile.Read(ref _keyframesRequested);

    /// <summary>The running ffmpeg's process id, for diagnostics and tests.</summary>
    public int? UpstreamProcessId { get; private set; }

    public int ViewerCount
    {
        get
        {
            lock (_gate)
            {
                return _viewers.Count;
            }
        }
    }

    /// <summary>Fragments dropped for slow viewers since the path opened, those who left included.</summary>
    public long DroppedFragments
    {
        get
        {
            lock (_gate)
            {
                return _droppedByDeparted + _viewers.Sum(v => v.DroppedFragments);
            }
        }
    }

    /// <summary>Media bytes received from the upstream since the path opened.</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>Fragments received from the upstream (and offered to every viewer) since the path opened.</summary>
    public long FragmentsIn => Interlocked.Read(ref _fragmentsIn);

    /// <summary>Timestamp (TimeProvider ticks) since which the path has had no viewer; null while watched.</summary>
    internal long? IdleSince { get; private set; }

    private long StartedAt { get; }

    internal void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Adds a reader; it gets the init segment and the fragments since the latest keyframe at once.</summary>
    internal int Attach(Viewer viewer)
    {
        lock (_gate)
        {
            _viewers.Add(viewer);
            IdleSince = null;
            if (Status.State == CameraLiveState.Offline)
            {
                viewer.Notify(StatusJson(Status));
            }

            viewer.Start(_buffer.Init, _buffer.CurrentGop);
            return _viewers.Count;
        }
    }

    /// <summary>
    /// Adds a lossless reader (the recorder): it gets the init and the fragments since the latest keyframe, then every
    /// fragment; it keeps the path open like a viewer does.
    /// </summary>
    internal void AttachRecorder(IPathRecorder recorder)
    {
        lock (_gate)
        {
            _recorders.Add(recorder);
            IdleSince = null;
            if (_buffer.Init is { } init)
            {
                recorder.Receive(init);
                foreach (var fragment in _buffer.CurrentGop)
                {
                    recorder.Receive(fragment);
                }
            }
        }
    }

    /// <summary>Removes the recorder; returns the number of readers (viewers and recorders) left.</summary>
    internal int DetachRecorder(IPathRecorder recorder)
    {
        lock (_gate)
        {
            _recorders.Remove(recorder);
            if (_viewers.Count == 0 && _recorders.Count == 0)
            {
                IdleSince = _time.GetTimestamp();
            }

            return _viewers.Count + _recorders.Count;
        }
    }

    /// <summary>Whether a recorder reads this path (the path then stays open without viewers).</summary>
    public bool IsRecorded
    {
        get
        {
            lock (_gate)
            {
                return _recorders.Count > 0;
            }
        }
    }

    internal int Detach(Viewer viewer)
    {
        lock (_gate)
        {
            if (_viewers.Remove(viewer))
            {
                _droppedByDeparted += viewer.DroppedFragments;
            }

            if (_viewers.Count == 0 && _recorders.Count == 0)
            {
                IdleSince = _time.GetTimestamp();
            }

            return _viewers.Count;
        }
    }

    /// <summary>Reads the shared buffer under the path's lock (HLS playlists and segments).</summary>
    internal T Read<T>(Func<FragmentBuffer, T> read)
    {
        lock (_gate)
        {
            return read(_buffer);
        }
    }

    /// <summary>
    /// Takes the camera's current registry entry. When how to reach it changed (address, transport, user name or
    /// password, e.g. a password corrected after "401 Unauthorized"), the running ffmpeg is stopped, or the backoff
    /// wait cut short, and the next connection uses the new details at once. True when it reconnects.
    /// </summary>
    internal bool Retarget(CameraSource updated)
    {
        if (_source is not CameraUpstream upstream)
        {
            return false;
        }

        Camera = updated;
        if (!upstream.Retarget(updated))
        {
            return false;
        }

        _logger.LogInformation("Path {Path}: the camera's address or credentials changed in the registry; reconnecting", Key);
        Interlocked.Increment(ref _retargets);
        Volatile.Read(ref _running)?.Kill();
        lock (_gate)
        {
            // A path closing meanwhile has nothing left to retry (and its token is gone).
            if (!_stop.IsCancellationRequested)
            {
                _retryNow.Cancel();
            }
        }

        return true;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            if (!await ClaimAsync(ct))
            {
                continue;
            }

            var (reason, receivedMedia) = await RunUpstreamOnceAsync(ct);
            if (ct.IsCancellationRequested)
            {
                break;
            }

            failures = receivedMedia ? 1 : failures + 1;
            SetStatus(CameraLiveState.Offline, reason);
            var delay = TimeSpan.FromTicks(Math.Min(_options.ReconnectMaxDelay.Ticks, _options.ReconnectMinDelay.Ticks << Math.Min(failures - 1, 20)));
            _logger.LogWarning("Path {Path} offline ({Reason}); restarting in {Delay}", Key, reason, delay);
            CancellationTokenSource retryNow;
            lock (_gate)
            {
                retryNow = _retryNow;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, retryNow.Token);
            try
            {
                await Task.Delay(delay, _time, wait.Token);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                // The camera's address or credentials changed: try them now, with a fresh backoff.
                failures = 0;
                lock (_gate)
                {
                    _retryNow.Dispose();
                    _retryNow = new CancellationTokenSource();
                }
            }
        }
    }

    /// <summary>
    /// Whether this node may pull the camera now (it owns it, or claimed it as its assigned node); otherwise waits
    /// <see cref="ClaimRetry"/> without publishing a status (the camera is fine on its owner) and says no.
    /// </summary>
    private async Task<bool> ClaimAsync(CancellationToken ct)
    {
        try
        {
            if (await _source.ClaimAsync(ct))
            {
                return true;
            }

            await Task.Delay(ClaimRetry, _time, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "Path {Path}: claiming the camera failed; retrying", Key);
            await Task.Delay(ClaimRetry, _time, CancellationToken.None);
        }

        return false;
    }

    /// <summary>How often a path on a node that does not own its camera asks again.</summary>
    internal static readonly TimeSpan ClaimRetry = TimeSpan.FromSeconds(1);

    /// <summary>Runs one ffmpeg until it ends; returns why it ended and whether any media arrived.</summary>
    private async Task<(string Reason, bool ReceivedMedia)> RunUpstreamOnceAsync(CancellationToken ct)
    {
        SetStatus(CameraLiveState.Connecting, null);
        var retargets = Volatile.Read(ref _retargets);
        FfmpegProcess ffmpeg;
        try
        {
            ffmpeg = await _source.StartAsync(ct);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return ($"ffmpeg could not be started: {e.Message}", false);
        }
        catch (InvalidOperationException e)
        {
            return (e.Message, false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ("stopped", false);
        }

        await using var owned = ffmpeg;
        Volatile.Write(ref _running, ffmpeg);
        if (Volatile.Read(ref _retargets) != retargets)
        {
            // Retargeted while this ffmpeg was starting, perhaps with the old details: start again with the new ones.
            ffmpeg.Kill();
        }

        Interlocked.Increment(ref _upstreamStarts);
        UpstreamProcessId = ffmpeg.Id;
        // Beside the run, never in its way: the camera is asked for a keyframe while ffmpeg sets up RTSP.
        using var endOfRun = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keyframeRequests = StartKeyframeRequests(endOfRun.Token);
        var lastMedia = _time.GetTimestamp();
        var stalled = false;
        var received = false;
        string? parseError = null;

        // Stop asks ffmpeg to quit, which ends its stdout and so the read loop below.
        await using var onStop = ct.Register(() => _ = ffmpeg.StopAsync(TimeSpan.FromSeconds(2)));
        await using var watchdog = _time.CreateTimer(
            _ =>
            {
                if (_time.GetElapsedTime(Volatile.Read(ref lastMedia)) > _options.StallTimeout)
                {
                    stalled = true;
                    ffmpeg.Kill();
                }
            },
            null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        try
        {
            await foreach (var media in new FragmentedMp4Parser(ffmpeg.StandardOutput).ReadAsync(CancellationToken.None))
            {
                Volatile.Write(ref lastMedia, _time.GetTimestamp());
                received = true;
                Publish(media);
            }
        }
        catch (InvalidDataException e)
        {
            parseError = $"unreadable output from ffmpeg: {e.Message}";
            ffmpeg.Kill();
        }
        catch (IOException e)
        {
            parseError = $"upstream pipe failed: {e.Message}";
            ffmpeg.Kill();
        }

        // The pipe can close before the process is reaped: give it a moment, then make sure it is gone.
        int code;
        try
        {
            code = await ffmpeg.Exited.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            ffmpeg.Kill();
            code = await ffmpeg.Exited;
        }

        UpstreamProcessId = null;
        Volatile.Write(ref _running, null);
        await endOfRun.CancelAsync();
        await keyframeRequests;
        var reason = stalled ? $"camera stalled: no video for {_options.StallTimeout.TotalSeconds:0} s"
            : parseError ?? UpstreamExit.Explain(code, ffmpeg.Tail, received);
        return (reason, received);
    }

    private Task StartKeyframeRequests(CancellationToken endOfRun)
    {
        if (!IsCameraUpstream || !_options.RequestKeyframes)
        {
            return Task.CompletedTask;
        }

        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _firstKeyframe, first);
        var camera = Camera;
        return Task.Run(async () =>
        {
            try
            {
                Interlocked.Add(ref _keyframesRequested, await _keyframes.RequestAsync(camera, first.Task, endOfRun));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogDebug(e, "Path {Path}: the keyframe request failed", Key);
            }
        }, CancellationToken.None);
    }

    private void Publish(UpstreamMedia media)
    {
        lock (_gate)
        {
            switch (media)
            {
                case InitSegment init:
                    var restarted = _buffer.Init is not null;
                    if (restarted)
                    {
                        // Before the new run's first picture is offered: whoever trusted the old run decides again.
                        Reconnected?.Invoke(this);
                    }

                    _buffer.Reset(init);
                    foreach (var v in _viewers)
                    {
                        v.Restart();
                    }

                    foreach (var r in _recorders)
                    {
                        r.Receive(init);
                    }

                    SetStatus(CameraLiveState.Online, restarted ? "reconnected" : null);
                    break;
                case Fragment fragment when _buffer.Append(fragment) && _buffer.Init is { } current:
                    if (fragment.Keyframe)
                    {
                        _firstKeyframe?.TrySetResult();
                    }

                    Interlocked.Add(ref _bytesIn, fragment.Data.Length);
                    Interlocked.Increment(ref _fragmentsIn);
                    if (!IsCameraUpstream)
                    {
                        Masked.MaskingMetrics.FrameMasked(); // a masked feed's encoder writes one fragment per frame
                    }

                    foreach (var v in _viewers)
                    {
                        v.Offer(current, fragment);
                    }

                    foreach (var r in _recorders)
                    {
                        r.Receive(fragment);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Average bitrate received since the path started, in kbit/s.</summary>
    public double BitrateKbps
    {
        get
        {
            var seconds = _time.GetElapsedTime(StartedAt).TotalSeconds;
            return seconds <= 0 ? 0 : Interlocked.Read(ref _bytesIn) * 8 / 1000.0 / seconds;
        }
    }

    private void SetStatus(CameraLiveState state, string? reason)
    {
        CameraStatusEvent status;
        lock (_gate)
        {
            if (Status.State == state && Status.Reason == reason)
            {
                return;
            }

            status = new CameraStatusEvent(Camera.Id, state, reason, _time.GetUtcNow());
            Status = status;
            if (state is CameraLiveState.Online or CameraLiveState.Offline)
            {
                var json = StatusJson(status);
                foreach (var v in _viewers)
                {
                    v.Notify(json);
                }
            }
        }

        _ = PublishStatusAsync(status);
    }

    private async Task PublishStatusAsync(CameraStatusEvent status)
    {
        try
        {
            await _events.CameraStatusChangedAsync(status);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "Could not publish the status of camera {Camera}", status.CameraId);
        }
    }

    private static string StatusJson(CameraStatusEvent status) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            type = status.State == CameraLiveState.Online ? "online" : "offline",
            cameraId = status.CameraId,
            reason = status.Reason,
        });

    /// <summary>Stops the upstream (ffmpeg asked to quit, then killed) and ends every remaining reader.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        lock (_gate)
        {
            foreach (var v in _viewers)
            {
                v.End("camera path closed");
            }

            _viewers.Clear();
            foreach (var r in _recorders)
            {
                r.PathClosed();
            }

            _recorders.Clear();
        }

        Status = new CameraStatusEvent(Camera.Id, CameraLiveState.Idle, null, _time.GetUtcNow());
        _ = PublishStatusAsync(Status);
        _stop.Dispose();
        lock (_gate)
        {
            _retryNow.Dispose();
        }
    }
}
