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
/// <see cref="RecordingOptions.ScheduleInterval"/> to see registry changes. With several nodes each node records only the
/// cameras it owns (<see cref="ICameraOwners"/>, issue #17): it claims those assigned to it and stops a camera at once
/// when it loses or hands it over; a membership change wakes it, so a dead node's cameras are taken within a pass.
/// </summary>
public sealed class Recorder(
    IOptions<RecordingOptions> options,
    PathManager paths,
    ICameraDirectory directory,
    SegmentIndex index,
    Reconciler reconciler,
    TimeProvider time,
    ILoggerFactory loggers,
    ICameraOwners owners,
    NodeIdentity? node = null) : UpstreamScheduler(time, loggers.CreateLogger<Recorder>())
{
    /// <summary>How soon a pass runs again when a camera assigned here is still held by another node (it is handing it over).</summary>
    public static readonly TimeSpan ClaimRetry = TimeSpan.FromSeconds(1);

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

        owners.OwnerChanged += OnOwnerChanged;
        owners.MembershipChanged += Refresh;
        try
        {
            await RunPassesAsync(stoppingToken);
        }
        finally
        {
            owners.OwnerChanged -= OnOwnerChanged;
            owners.MembershipChanged -= Refresh;
        }
    }

    private void OnOwnerChanged(CameraOwnerChange change)
    {
        // Lost or released one of ours: the pass stops its writer (the path is already closing).
        if (change.Previous?.IsLocal == true && change.Current?.IsLocal != true)
        {
            Refresh();
        }
    }

    /// <summary>Stops recording one camera now, its open segment closed and indexed (the camera is moving to another node).</summary>
    public async Task StopCameraAsync(string cameraId)
    {
        Running? running;
        lock (_running)
        {
            _running.Remove(cameraId, out running);
        }

        if (running is not null)
        {
            Logger.LogInformation("Camera {Camera}: recording stopped, this node no longer owns it", cameraId);
            await StopAsync(running);
        }
    }

    /// <summary>
    /// Reconciles storage once at the first pass on a single node. In a cluster the storage is shared and another node's
    /// open segment looks like a crashed one, so each camera's tree is reconciled when this node starts recording it
    /// (its previous owner has stopped: it lost or released the camera's lock first).
    /// </summary>
    private async Task ReconcileAsync(string? cameraId, CancellationToken ct)
    {
        try
        {
            var report = await reconciler.RunAsync(cameraId, ct);
            if (cameraId is null)
            {
                _reconciled.TrySetResult(report);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            if (cameraId is null)
            {
                _reconciled.TrySetException(e);
            }

            Logger.LogError(e, "Reconciling the recording storage failed; recording continues, the index may miss files");
        }
    }

    private bool Clustered => owners is not LocalCameraOwners;

    /// <summary>One pass: start and stop recorders; returns how long to wait before the next pass.</summary>
    internal override async Task<TimeSpan> ApplyAsync(CancellationToken ct)
    {
        if (!_reconcileDone)
        {
            _reconcileDone = true;
            if (!Clustered)
            {
                await ReconcileAsync(null, ct);
            }
            else
            {
                _reconciled.TrySetResult(new ReconcileReport(0, 0, 0, 0, 0, 0));
            }
        }

        var (wanted, wait) = _pausedReason is null
            ? Select(await directory.ActiveCamerasAsync(ct), UpstreamSchedule.ForRecording)
            : (new Dictionary<string, CameraSource>(StringComparer.Ordinal), Interval);

        List<Running> stop;
        lock (_running)
        {
            // A recorder whose writer stopped (a write failed) is replaced by a fresh one in this same pass; one whose
            // camera this node no longer owns stops.
            stop = [.. _running.Where(r => !wanted.ContainsKey(r.Key) || r.Value.Recorder.Stopped || !owners.OwnsLocally(r.Key)).Select(r => r.Value)];
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

            var owned = owners.OwnsLocally(camera.Id);
            if (!owned && !await owners.TryClaimAsync(camera.Id, ct))
            {
                if (owners.IsAssignedLocally(camera.Id) && wait > ClaimRetry)
                {
                    wait = ClaimRetry;
                }

                continue;
            }

            if (Clustered && !owned)
            {
                await ReconcileAsync(camera.Id, ct);
            }

            var recorder = CameraRecorder.Start(camera, options.Value, index, directory, Time,
                loggers.CreateLogger($"CameraHub.StreamBroker.Recording.CameraRecorder.{camera.Id}"), node?.Name);
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
    }
}
