using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
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
}

/// <summary>
/// Raises and clears the hub's own alarms that come from looking at state: an open camera upstream offline longer
/// than the threshold (cleared when it is back online), and a permit or balancing review due within 30 days
/// (cleared when the registry's date moves on). Others raise through <see cref="IAlarmSink"/> where they happen.
/// </summary>
public sealed class HubAlarmWatch(
    PathManager paths, IServiceScopeFactory scopes, IDbContextFactory<AlarmsDbContext> contexts, IAlarmSink sink, IOptions<HubAlarmOptions> options, TimeProvider time, ILogger<HubAlarmWatch> logger,
    IClusterLeases leases)
    : BackgroundService
{
    public const string CameraOfflineKind = "hub.CameraOffline";
    public const string LegalBasisDueKind = "hub.LegalBasisDue";

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
