using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Live;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Recording;

/// <summary>
/// Continuous recording: reconciles storage at start, then keeps exactly the cameras that must be recorded now
/// (<see cref="UpstreamSchedule.ForRecording"/>) attached to their broker paths, waking at the next schedule edge or every
/// <see cref="RecordingOptions.ScheduleInterval"/> to see registry changes. With several nodes the schedule is decided
/// by one of them, the holder of the "recording" lease (the others record nothing and try for the lease every few
/// seconds, so a node that dies is replaced within one retry); spreading cameras over the nodes is issue #17's.
/// </summary>
public sealed class Recorder(
    IOptions<RecordingOptions> options,
    PathManager paths,
    ICameraDirectory directory,
    SegmentIndex index,
    Reconciler reconciler,
    TimeProvider time,
    ILoggerFactory loggers,
    IClusterLeases leases) : UpstreamScheduler(time, loggers.CreateLogger<Recorder>())
{
    /// <summary>How often a node without the recording lease tries to take it.</summary>
    public static readonly TimeSpan LeaseRetry = TimeSpan.FromSeconds(3);

    private readonly KeptLease _lease = new(leases, "recording");
    private CancellationTokenRegistration _onLost;
    private bool _reconcileDone;
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<ReconcileReport> _reconciled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _pausedReason;

    private sealed record Running(CameraRecorder Recorder, RecorderLease Lease);

    /// <summary>The start-up reconciliation's result, once it ran.</summary>
    public Task<ReconcileReport> Reconciled => _reconciled.Task;

    /// <summary>Cameras being recorded now.</summary>
    public IReadOnlyList<string> RecordingCameras
    {
        get
        {
            lock (_running)
            {
                return [.. _running.Keys];
            }
        }
    }

    /// <summary>The running writers, for health and metrics.</summary>
    internal IReadOnlyList<CameraRecorder> Writers
    {
        get
        {
            lock (_running)
            {
                return [.. _running.Values.Select(r => r.Recorder)];
            }
        }
    }

    /// <summary>Whether recording is switched on (CameraHub:Recording:Enabled).</summary>
    public bool Enabled => options.Value.Enabled;

    /// <summary>Why recording is paused (storage below its floor), or null.</summary>
    public string? PausedReason => _pausedReason;

    /// <summary>Pauses all recording (disk full); the sweeper resumes it when space is back.</summary>
    public void Pause(string reason)
    {
        _pausedReason = reason;
        Refresh();
    }

    public void Resume()
    {
        _pausedReason = null;
        Refresh();
    }

    protected override string Purpose => "recording";

    protected override TimeSpan Interval => options.Value.ScheduleInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            Logger.LogInformation("Recording is disabled (CameraHub:Recording:Enabled=false)");
            return;
        }

        await RunPassesAsync(stoppingToken);
    }

    /// <summary>
    /// Reconciles storage once, when this node first holds the recording lease: only the recording node may recover
    /// half-written files, because in a cluster the storage is shared and another node's open segment looks the same.
    /// </summary>
    private async Task ReconcileOnceAsync(CancellationToken ct)
    {
        if (_reconcileDone)
        {
            return;
        }

        _reconcileDone = true;
        try
        {
            _reconciled.TrySetResult(await reconciler.RunAsync(ct));
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            _reconciled.TrySetException(e);
            Logger.LogError(e, "Reconciling the recording storage failed; recording continues, the index may miss files");
        }
    }

    /// <summary>One pass: start and stop recorders; returns how long to wait before the next pass.</summary>
    internal override async Task<TimeSpan> ApplyAsync(CancellationToken ct)
    {
        var held = _lease.Held;
        var leader = await _lease.HoldAsync(ct);
        if (leader && !held)
        {
            // Lost lease (the database connection broke): stop recording at once, not at the next scheduled pass.
            await _onLost.DisposeAsync();
            _onLost = _lease.Lost.Register(Refresh);
            await ReconcileOnceAsync(ct);
        }

        var (wanted, wait) = !leader ? (new Dictionary<string, CameraSource>(StringComparer.Ordinal), LeaseRetry)
            : _pausedReason is null
            ? Select(await directory.ActiveCamerasAsync(ct), UpstreamSchedule.ForRecording)
            : (new Dictionary<string, CameraSource>(StringComparer.Ordinal), Interval);

        List<Running> stop;
        lock (_running)
        {
            // A recorder whose writer stopped (a write failed) is replaced by a fresh one in this same pass.
            stop = [.. _running.Where(r => !wanted.ContainsKey(r.Key) || r.Value.Recorder.Stopped).Select(r => r.Value)];
            foreach (var r in stop)
            {
                _running.Remove(r.Recorder.CameraId);
            }
        }

        foreach (var r in stop)
        {
            Logger.LogInformation("Camera {Camera}: recording stopped", r.Recorder.CameraId);
            await StopAsync(r);
        }

        foreach (var camera in wanted.Values)
        {
            lock (_running)
            {
                if (_running.ContainsKey(camera.Id))
                {
                    continue;
                }
            }

            var recorder = CameraRecorder.Start(camera, options.Value, index, directory, Time,
                loggers.CreateLogger($"CameraHub.StreamBroker.Recording.CameraRecorder.{camera.Id}"));
            var lease = paths.AttachRecorder(camera, recorder);
            lock (_running)
            {
                _running[camera.Id] = new Running(recorder, lease);
            }

            Logger.LogInformation("Camera {Camera}: recording started", camera.Id);
        }

        return wait;
    }

    private static async Task StopAsync(Running running)
    {
        running.Lease.Dispose();
        await running.Recorder.DisposeAsync();
    }

    /// <summary>Closes every segment being written (synced and indexed) before the host stops.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<Running> all;
        lock (_running)
        {
            all = [.. _running.Values];
            _running.Clear();
        }

        await Task.WhenAll(all.Select(StopAsync));
        await _onLost.DisposeAsync();
        await _lease.DisposeAsync();
    }
}
