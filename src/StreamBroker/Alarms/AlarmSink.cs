namespace CameraHub.StreamBroker.Alarms;

/// <summary>One of the hub's own alarms, as a feature raises it.</summary>
/// <param name="Kind">Stable name, e.g. "hub.CameraOffline", "care.MissedVisit".</param>
/// <param name="Key">What it is about (camera id, job id…): raising the same kind and key again while open does nothing.</param>
/// <param name="Severity">How urgent.</param>
/// <param name="Text">A sentence a person can act on.</param>
/// <param name="CameraId">The camera concerned, if any.</param>
/// <param name="OwnerId">The owner concerned: its owners see the alarm next to the administrators.</param>
public sealed record HubAlarm(string Kind, string Key, AlarmSeverity Severity, string Text, string? CameraId = null, string? OwnerId = null);

/// <summary>
/// Where any feature raises the hub's own alarms and clears them when the cause is gone (health, recording, care,
/// masking). Raising is idempotent per kind and key while the alarm is open (a higher severity escalates it); clearing
/// marks it cleared, and the alarm stays in the queue until someone closes it.
/// </summary>
public interface IAlarmSink
{
    Task RaiseAsync(HubAlarm alarm, CancellationToken ct);

    Task ClearAsync(string kind, string key, CancellationToken ct);
}
