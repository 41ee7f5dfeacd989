using System.Globalization;
using CameraHub.CameraRegistry.Care;
using CameraHub.StreamBroker.Alarms;

namespace CameraHub.Care;

/// <summary>
/// Puts every missed supervision visit into the alarm queue (DESIGN.md §12: a missed visit is an alarm), next to the
/// SignalR push of <see cref="CareVisitNotifications"/>. The alarm is visible to the staff of the visit's care unit
/// (<see cref="AlarmVisibility"/>), administrators and the DPO.
/// </summary>
public sealed class CareVisitAlarms(ICareVisitFeed feed, IAlarmSink alarms) : IHostedService
{
    /// <summary>The alarm kind of a missed visit; its key is the visit's id.</summary>
    public const string Kind = AlarmVisibility.CareAlarmPrefix + "MissedVisit";

    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = feed.Subscribe(missed =>
        {
            var planned = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(missed.PlannedAtUtc, DateTimeKind.Utc), Stockholm);
            var text = string.Create(CultureInfo.InvariantCulture,
                $"Missed supervision visit: the {planned:yyyy-MM-dd HH:mm} visit on camera {missed.CameraId} ({missed.CareUnit}) closed with no look; check on the resident");
            return alarms.RaiseAsync(new HubAlarm(Kind, missed.VisitId.ToString("N"), AlarmSeverity.Major, text, missed.CameraId), CancellationToken.None);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
