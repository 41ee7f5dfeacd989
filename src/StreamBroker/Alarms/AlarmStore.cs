using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Onvif.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>
/// The one store and queue: takes camera events in (kept, and turned into alarms by <see cref="AlarmRules"/>), raises
/// and clears the hub's own alarms (<see cref="IAlarmSink"/>), and moves alarms through acknowledge and close with
/// comments. Every change is pushed to entitled users (<see cref="IAlarmNotifier"/>); people's steps are audited.
/// </summary>
public sealed class AlarmStore(
    IDbContextFactory<AlarmsDbContext> contexts, ICameraDirectory cameras, IAuditLog audit, IAlarmNotifier notifier,
    EventFlood floods, IOptions<EventLimitOptions> limits, TimeProvider time, ILogger<AlarmStore> logger) : IAlarmSink
{
    /// <summary>The audit actor for the hub's own steps.</summary>
    public const string HubActor = "camerahub";

    /// <summary>
    /// Stores a camera's notifications and raises the alarms the rules ask for; returns the alarms raised or added to.
    /// A repeat of an alarm kind of the camera while that alarm is new, or within the fold window of its last
    /// occurrence, adds to its count instead of queueing another. Past the flood limit only events that raise a new
    /// alarm are stored, and the camera gets one alarm saying it floods (<see cref="EventFlood"/>).
    /// </summary>
    public async Task<IReadOnlyList<AlarmView>> IngestAsync(string cameraId, IReadOnlyList<OnvifNotification> messages, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return [];
        }

        var camera = await cameras.FindAsync(cameraId, ct);
        if (camera is null)
        {
            logger.LogWarning("Dropped {Count} events of camera {Camera}: it is not in the registry", messages.Count, cameraId);
            return [];
        }

        var now = time.GetUtcNow();
        var flood = floods.Admit(cameraId, messages.Count, now);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var setting = await db.EventIntake.AsNoTracking().FirstOrDefaultAsync(s => s.CameraId == cameraId, ct);
        var open = (await db.Alarms.Include(a => a.Comments).Where(a => a.CameraId == cameraId && a.Kind.StartsWith(AlarmVisibility.CameraAlarmPrefix) && a.State != AlarmState.Closed)
                .OrderBy(a => a.RaisedUtcTicks).ToListAsync(ct))
            .GroupBy(a => a.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var fold = TimeSpan.FromSeconds(limits.Value.FoldWindowSeconds).Ticks;
        var raised = new List<(Alarm Alarm, CameraEventRecord Event)>();
        var folded = new HashSet<Alarm>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var record = new CameraEventRecord
            {
                CameraId = cameraId, Category = message.Category, Topic = message.Topic, Operation = message.Operation, Active = message.Active,
                OccurredUtcTicks = (message.OccurredAt ?? now).UtcTicks, ReceivedUtcTicks = now.UtcTicks, RawXml = message.RawXml,
            };
            var store = i < flood.Store;
            if (store)
            {
                db.CameraEvents.Add(record);
            }

            if (AlarmRules.Decide(message, camera, setting, now) is not { } severity)
            {
                continue;
            }

            var kind = AlarmVisibility.CameraAlarmPrefix + message.Category;
            if (open.TryGetValue(kind, out var existing)
                && (existing.State == AlarmState.New || record.OccurredUtcTicks - (existing.LastOccurredUtcTicks ?? existing.OccurredUtcTicks) <= fold))
            {
                existing.Repeats++;
                existing.LastOccurredUtcTicks = Math.Max(record.OccurredUtcTicks, existing.LastOccurredUtcTicks ?? existing.OccurredUtcTicks);
                folded.Add(existing);
                continue;
            }

            if (!store)
            {
                db.CameraEvents.Add(record); // the event that raises an alarm is always kept with it
            }

            var alarm = new Alarm
            {
                Kind = kind, Key = $"{cameraId}/{message.TopicPath}", Severity = severity, CameraId = cameraId, OwnerId = camera.OwnerId,
                Text = AlarmRules.Text(message, camera), OccurredUtcTicks = record.OccurredUtcTicks, RaisedUtcTicks = now.UtcTicks,
            };
            open[kind] = alarm;
            raised.Add((alarm, record));
        }

        await db.SaveChangesAsync(ct);
        foreach (var (alarm, record) in raised)
        {
            alarm.EventId = record.Id;
            db.Alarms.Add(alarm);
        }

        await db.SaveChangesAsync(ct);
        var views = raised.Select(r => r.Alarm).Concat(folded.Where(a => !raised.Any(r => r.Alarm == a))).Select(AlarmView.Of).ToList();
        foreach (var view in views)
        {
            await notifier.AlarmChangedAsync(view, ct);
        }

        if (flood.Started)
        {
            logger.LogWarning("Camera {Camera} floods events: {Count} within {Seconds} s (limit {Limit})", cameraId, flood.InWindow, limits.Value.FloodWindowSeconds, limits.Value.FloodEventsPerWindow);
            await RaiseAsync(new HubAlarm(HubAlarmKinds.CameraFlooding, cameraId, AlarmSeverity.Warning,
                $"Camera {cameraId} {camera.Name} sends more than {limits.Value.FloodEventsPerWindow} events within {limits.Value.FloodWindowSeconds} s: "
                + "its alarms are folded into one per kind with a count, and events past the limit are kept only when they raise an alarm",
                cameraId, camera.OwnerId), ct);
        }

        return views;
    }

    public async Task RaiseAsync(HubAlarm alarm, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var open = await db.Alarms.Include(a => a.Comments)
            .FirstOrDefaultAsync(a => a.Kind == alarm.Kind && a.Key == alarm.Key && a.State != AlarmState.Closed && a.ClearedUtcTicks == null, ct);
        if (open is not null)
        {
            // The same cause got worse (storage below the floor, then recording paused): the open alarm says so.
            if (alarm.Severity > open.Severity)
            {
                open.Severity = alarm.Severity;
                open.Text = alarm.Text;
                await db.SaveChangesAsync(ct);
                await notifier.AlarmChangedAsync(AlarmView.Of(open), ct);
            }

            return;
        }

        var now = time.GetUtcNow().UtcTicks;
        var row = new Alarm
        {
            Kind = alarm.Kind, Key = alarm.Key, Severity = alarm.Severity, CameraId = alarm.CameraId, OwnerId = alarm.OwnerId, Text = alarm.Text,
            OccurredUtcTicks = now, RaisedUtcTicks = now,
        };
        db.Alarms.Add(row);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.HubAlarmRaised, AuditOutcome.Allowed, HubActor, alarm.CameraId,
            Details: $"{alarm.Kind} ({alarm.Severity}): {alarm.Text}", SubjectType: "alarm", SubjectId: row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
        await notifier.AlarmChangedAsync(AlarmView.Of(row), ct);
    }

    public async Task ClearAsync(string kind, string key, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var open = await db.Alarms.Include(a => a.Comments)
            .Where(a => a.Kind == kind && a.Key == key && a.State != AlarmState.Closed && a.ClearedUtcTicks == null).ToListAsync(ct);
        foreach (var alarm in open)
        {
            alarm.ClearedUtcTicks = time.GetUtcNow().UtcTicks;
        }

        await db.SaveChangesAsync(ct);
        foreach (var alarm in open)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.HubAlarmCleared, AuditOutcome.Allowed, HubActor, alarm.CameraId,
                Details: $"{alarm.Kind}: the cause is gone", SubjectType: "alarm", SubjectId: alarm.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
            await notifier.AlarmChangedAsync(AlarmView.Of(alarm), ct);
        }
    }

    /// <summary>The outcome of a person's step on an alarm.</summary>
    public enum StepResult
    {
        Done,
        NotFound,
        AlreadyClosed,
    }

    /// <summary>Acknowledge, comment or close, audited with the actor; <paramref name="visible"/> hides alarms the actor may not see.</summary>
    public async Task<(StepResult Result, AlarmView? Alarm)> StepAsync(
        long id, AuditAction step, string actor, string? text, Func<Alarm, bool> visible, string? remoteAddress, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var alarm = await db.Alarms.Include(a => a.Comments).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (alarm is null || !visible(alarm))
        {
            return (StepResult.NotFound, null);
        }

        if (alarm.State == AlarmState.Closed)
        {
            return (StepResult.AlreadyClosed, AlarmView.Of(alarm));
        }

        var now = time.GetUtcNow().UtcTicks;
        switch (step)
        {
            case AuditAction.AlarmAcknowledged:
                alarm.State = AlarmState.Acknowledged;
                alarm.AcknowledgedBy = actor;
                alarm.AcknowledgedUtcTicks = now;
                break;
            case AuditAction.AlarmClosed:
                alarm.State = AlarmState.Closed;
                alarm.AcknowledgedBy ??= actor;
                alarm.AcknowledgedUtcTicks ??= now;
                alarm.ClosedBy = actor;
                alarm.ClosedUtcTicks = now;
                alarm.Outcome = text;
                break;
            case AuditAction.AlarmCommented:
                alarm.Comments.Add(new AlarmComment { Author = actor, Text = text!, AtUtcTicks = now });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "not a step on an alarm");
        }

        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(step, AuditOutcome.Allowed, actor, alarm.CameraId, RemoteAddress: remoteAddress,
            Details: text is null ? alarm.Text : $"{alarm.Text} — {text}", SubjectType: "alarm", SubjectId: id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
        var view = AlarmView.Of(alarm);
        await notifier.AlarmChangedAsync(view, ct);
        return (StepResult.Done, view);
    }
}

/// <summary>Tells entitled users that an alarm is new or changed (SignalR in the host).</summary>
public interface IAlarmNotifier
{
    Task AlarmChangedAsync(AlarmView alarm, CancellationToken ct);
}
