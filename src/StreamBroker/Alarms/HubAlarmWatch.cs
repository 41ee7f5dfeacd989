using System.Collections.Concurrent;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Retention;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>Thresholds of the hub's own alarms watched here (CameraHub:Alarms).</summary>
public sealed class HubAlarmOptions
{
    /// <summary>How long an open upstream may be offline before it is an alarm.</summary>
    public int CameraOfflineSeconds { get; set; } = 120;

    /// <summary>A permit expiring or a balancing of interests due for review within this many days is an alarm.</summary>
    public int LegalBasisDueDays { get; set; } = 30;

    /// <summary>How often the watch looks.</summary>
    public int CheckSeconds { get; set; } = 10;

    /// <summary>
    /// Unwritten footage on one node past which its disk is falling behind (a writer past its own cap,
    /// CameraHub:Recording:MaxQueuedBytesPerCamera, 64 MiB, drops footage and raises a recording gap instead).
    /// </summary>
    public long WriterBacklogBytes { get; set; } = 32L << 20;
}

/// <summary>
/// Raises and clears the hub's own alarms that come from looking at state: an open camera upstream offline longer
/// than the threshold (cleared when it is back online), a permit or balancing review due within 30 days (cleared when
/// the registry's date moves on), recording storage below its floor, the last retention sweep failed, and the audit
/// chain found broken (each cleared when the same state says otherwise). Others raise through <see cref="IAlarmSink"/>
/// where they happen.
/// </summary>
public sealed class HubAlarmWatch(
    PathManager paths, IServiceScopeFactory scopes, IDbContextFactory<AlarmsDbContext> contexts, IAlarmSink sink, IOptions<HubAlarmOptions> options, TimeProvider time, ILogger<HubAlarmWatch> logger,
    IClusterLeases leases, RecordingMonitor? recording = null, RetentionSweeper? sweeper = null, AuditChainStatus? auditChain = null, EventFlood? floods = null,
    NodeIdentity? node = null)
    : BackgroundService
{
    /// <summary>The key of the node-wide alarms (disk floor, sweep): the node's name, so several nodes keep one each.</summary>
    private readonly string _nodeKey = (node ?? NodeIdentity.From(new NodeOptions(), time)).Name;

    /// <summary>Cameras whose gap alarm this node raised and has not cleared (a test may look while the loop does).</summary>
    private readonly ConcurrentDictionary<string, bool> _gaps = new(StringComparer.Ordinal);

    public const string CameraOfflineKind = HubAlarmKinds.CameraOffline;
    public const string LegalBasisDueKind = HubAlarmKinds.LegalBasisDue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckOnceAsync(stoppingToken);
                await Task.Delay(TimeSpan.FromSeconds(options.Value.CheckSeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogError(e, "The hub's alarm watch failed a round; trying again");
                await Task.Delay(TimeSpan.FromSeconds(options.Value.CheckSeconds), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>One look at upstreams and legal bases.</summary>
    public async Task CheckOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var threshold = TimeSpan.FromSeconds(options.Value.CameraOfflineSeconds);
        foreach (var path in paths.Paths)
        {
            var status = path.Status;
            if (status.State == CameraLiveState.Offline && now - status.Since >= threshold)
            {
                await sink.RaiseAsync(new HubAlarm(CameraOfflineKind, path.Key, AlarmSeverity.Major,
                    $"Camera {path.Key} {path.Camera.Name} has been offline since {status.Since:yyyy-MM-dd HH:mm:ss} UTC: {status.Reason ?? "no reason given"}",
                    path.Key, path.Camera.OwnerId), ct);
            }
            else if (status.State == CameraLiveState.Online)
            {
                await sink.ClearAsync(CameraOfflineKind, path.Key, ct);
            }
        }

        // Upstreams are this node's own; the legal bases are the cluster's, looked at by one node at a time.
        await leases.RunOnceInClusterAsync("alarms:legal-basis", c => CheckLegalBasesAsync(DateOnly.FromDateTime(now.UtcDateTime), c), ct);
        await CheckRecordingAsync(ct);
        await CheckAuditChainAsync(ct);
        foreach (var calmed in floods?.Calmed(now) ?? [])
        {
            await sink.ClearAsync(HubAlarmKinds.CameraFlooding, calmed, ct);
        }
    }

    /// <summary>
    /// Storage below the floor (paused or about to be), writers dropping footage (a gap per camera) or holding too much
    /// unwritten, and a failed retention sweep, on this node.
    /// </summary>
    private async Task CheckRecordingAsync(CancellationToken ct)
    {
        if (recording?.Current() is { } health)
        {
            await CheckWritersAsync(health, ct);
            if (health.PausedReason is not null || (health.Enabled && health.FreeBytes < health.FloorBytes))
            {
                await sink.RaiseAsync(new HubAlarm(HubAlarmKinds.DiskFloor, _nodeKey, health.PausedReason is null ? AlarmSeverity.Major : AlarmSeverity.Critical,
                    $"Recording storage on {_nodeKey} is below its floor, footage is at risk: {health.Describe()}"), ct);
            }
            else
            {
                await sink.ClearAsync(HubAlarmKinds.DiskFloor, _nodeKey, ct);
            }
        }

        if (sweeper is null)
        {
            return;
        }

        if (sweeper.LastFailure is { } failure)
        {
            await sink.RaiseAsync(new HubAlarm(HubAlarmKinds.RetentionSweepFailed, _nodeKey, AlarmSeverity.Major,
                $"The retention sweep on {_nodeKey} failed at {failure.At:yyyy-MM-dd HH:mm:ss} UTC, expired footage is kept beyond its retention: {failure.Reason}"), ct);
        }
        else if (sweeper.LastSweep is not null)
        {
            await sink.ClearAsync(HubAlarmKinds.RetentionSweepFailed, _nodeKey, ct);
        }
    }

    /// <summary>
    /// A gap alarm per camera whose writer drops footage, cleared once it writes again (or stops recording here); a
    /// backlog alarm per node. Cameras are recorded by one node, so only this node's writers raise or clear theirs.
    /// </summary>
    private async Task CheckWritersAsync(RecordingHealth health, CancellationToken ct)
    {
        foreach (var cameraId in health.CamerasDropping)
        {
            var camera = paths.Find(cameraId)?.Camera;
            if (_gaps.TryAdd(cameraId, true))
            {
                logger.LogWarning("Camera {Camera}: the recording writer is dropping footage", cameraId);
            }

            await sink.RaiseAsync(new HubAlarm(HubAlarmKinds.RecordingGap, cameraId, AlarmSeverity.Major,
                $"Camera {cameraId} {camera?.Name} is losing footage on {_nodeKey}: its recording writer is behind the disk and drops "
                + $"until it catches up, leaving a gap in the recording ({health.Describe()})", cameraId, camera?.OwnerId), ct);
        }

        foreach (var mended in _gaps.Keys.Where(c => !health.CamerasDropping.Contains(c, StringComparer.Ordinal)).ToList())
        {
            await sink.ClearAsync(HubAlarmKinds.RecordingGap, mended, ct);
            _gaps.TryRemove(mended, out _);
        }

        if (health.BacklogBytes > options.Value.WriterBacklogBytes)
        {
            await sink.RaiseAsync(new HubAlarm(HubAlarmKinds.WriterBacklog, _nodeKey, AlarmSeverity.Warning,
                $"Recording on {_nodeKey} is falling behind: {health.BacklogBytes / (1024 * 1024.0):F1} MiB not yet written "
                + $"(threshold {options.Value.WriterBacklogBytes / (1024 * 1024.0):F1} MiB); the disk is too slow for the cameras recorded here"), ct);
        }
        else
        {
            await sink.ClearAsync(HubAlarmKinds.WriterBacklog, _nodeKey, ct);
        }
    }

    /// <summary>The newest verdict on the audit chain: broken raises, a later clean verification clears.</summary>
    private async Task CheckAuditChainAsync(CancellationToken ct)
    {
        switch (auditChain?.Last)
        {
            case { Valid: false } broken:
                await sink.RaiseAsync(new HubAlarm(HubAlarmKinds.AuditChainBroken, "audit", AlarmSeverity.Critical,
                    $"The audit chain was found broken at {broken.At:yyyy-MM-dd HH:mm:ss} UTC: {broken.Problem ?? "no detail"}. Keep the database file and the checkpoints for the investigation."), ct);
                break;
            case { Valid: true }:
                await sink.ClearAsync(HubAlarmKinds.AuditChainBroken, "audit", ct);
                break;
        }
    }

    /// <summary>
    /// One alarm per owner (not per camera: a city has hundreds of bases expiring together), naming how many cameras
    /// and the first of them; cleared when none of the owner's are due any more.
    /// </summary>
    private async Task CheckLegalBasesAsync(DateOnly today, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var cameras = await db.Cameras.AsNoTracking().Where(c => c.Status == CameraStatus.Active).ToListAsync(ct);
        var horizon = today.AddDays(options.Value.LegalBasisDueDays);
        var due = cameras
            .Select(c => (Camera: c, Date: c.LegalBasis.EffectiveReviewDate))
            .Where(x => x.Date is { } d && d <= horizon)
            .GroupBy(x => x.Camera.OwnerId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(x => x.Date).ToList(), StringComparer.Ordinal);
        foreach (var (owner, list) in due)
        {
            var first = string.Join(", ", list.Take(5).Select(x => $"{x.Camera.Id} ({x.Date:yyyy-MM-dd})"));
            var severity = list.Any(x => x.Date < today) ? AlarmSeverity.Major : AlarmSeverity.Warning;
            await sink.RaiseAsync(new HubAlarm(LegalBasisDueKind, owner, severity,
                $"{list.Count} camera(s) of {owner} have a permit expiring or a balancing of interests due for review within "
                + $"{options.Value.LegalBasisDueDays} days: {first}{(list.Count > 5 ? ", …" : string.Empty)}", null, owner), ct);
        }

        await using var alarms = await contexts.CreateDbContextAsync(ct);
        var open = await alarms.Alarms.AsNoTracking()
            .Where(a => a.Kind == LegalBasisDueKind && a.State != AlarmState.Closed && a.ClearedUtcTicks == null).Select(a => a.Key).ToListAsync(ct);
        foreach (var owner in open.Where(o => !due.ContainsKey(o)).Distinct(StringComparer.Ordinal))
        {
            await sink.ClearAsync(LegalBasisDueKind, owner, ct);
        }
    }
}
