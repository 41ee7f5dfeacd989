using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Onvif.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>
/// The one store and queue: takes camera events in (kept, and turned into alarms by <see cref="AlarmRules"/>), raises
/// and clears the hub's own alarms (<see cref="IAlarmSink"/>), and moves alarms through acknowledge and close with
/// comments. Every change is pushed to entitled users (<see cref="IAlarmNotifier"/>); people's steps are audited.
/// </summary>
public sealed class AlarmStore(
    IDbContextFactory<AlarmsDbContext> contexts, ICameraDirectory cameras, IAuditLog audit, IAlarmNotifier notifier,
    TimeProvider time, ILogger<AlarmStore> logger) : IAlarmSink
{
    /// <summary>The audit actor for the hub's own steps.</summary>
    public const string HubActor = "camerahub";

    /// <summary>Stores a camera's notifications and raises the alarms the rules ask for; returns the alarms raised.</summary>
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

        await using var db = await contexts.CreateDbContextAsync(ct);
        var setting = await db.EventIntake.AsNoTracking().FirstOrDefaultAsync(s => s.CameraId == cameraId, ct);
        var now = time.GetUtcNow();
        var raised = new List<(Alarm Alarm, CameraEventRecord Event)>();
        foreach (var message in messages)
        {
            var record = new CameraEventRecord
            {
                CameraId = cameraId, Category = message.Category, Topic = message.Topic, Operation = message.Operation, Active = message.Active,
                OccurredUtcTicks = (message.OccurredAt ?? now).UtcTicks, ReceivedUtcTicks = now.UtcTicks, RawXml = message.RawXml,
            };
            db.CameraEvents.Add(record);
            if (AlarmRules.Decide(message, camera, setting, now) is not { } severity)
            {
                continue;
            }

            var kind = AlarmVisibility.CameraAlarmPrefix + message.Category;
            // A camera repeating the same event while its alarm is still new adds to the record, not to the queue.
            var key = $"{cameraId}/{message.TopicPath}";
            if (raised.Any(r => r.Alarm.Kind == kind && r.Alarm.Key == key)
                || await db.Alarms.AnyAsync(a => a.Kind == kind && a.Key == key && a.State == AlarmState.New, ct))
            {
                continue;
            }

            raised.Add((new Alarm
            {
                Kind = kind, Key = key, Severity = severity, CameraId = cameraId, OwnerId = camera.OwnerId, Text = AlarmRules.Text(message, camera),
                OccurredUtcTicks = record.OccurredUtcTicks, RaisedUtcTicks = now.UtcTicks,
            }, record));
        }

        await db.SaveChangesAsync(ct);
        foreach (var (alarm, record) in raised)
        {
            alarm.EventId = record.Id;
            db.Alarms.Add(alarm);
        }

        await db.SaveChangesAsync(ct);
        var views = raised.Select(r => AlarmView.Of(r.Alarm)).ToList();
        foreach (var view in views)
        {
            await notifier.AlarmChangedAsync(view, ct);
        }

        return views;
    }

    public async Task RaiseAsync(HubAlarm alarm, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Alarms.AnyAsync(a => a.Kind == alarm.Kind && a.Key == alarm.Key && a.State != AlarmState.Closed && a.ClearedUtcTicks == null, ct))
        {
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
