using System.Globalization;
using CameraHub.CameraRegistry.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>
/// Removes stored camera events received more than <see cref="EventLimitOptions.EventRetentionDays"/> ago, every
/// <see cref="EventLimitOptions.EventSweepMinutes"/>. Alarms are not removed with them: an alarm keeps its kind, text,
/// times and steps (what was done about it is the desk's record), it only loses the link to its raw event.
/// </summary>
public sealed class CameraEventSweeper(
    IDbContextFactory<AlarmsDbContext> contexts, IAuditLog audit, IOptions<EventLimitOptions> options, TimeProvider time, ILogger<CameraEventSweeper> logger)
    : BackgroundService
{
    /// <summary>Removes the events past their retention now; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var days = options.Value.EventRetentionDays;
        if (days <= 0)
        {
            return 0; // 0 or less: kept for ever (a deliberate choice, never a default)
        }

        var cutoff = (time.GetUtcNow() - TimeSpan.FromDays(days)).UtcTicks;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Alarms.Where(a => a.EventId != null && db.CameraEvents.Any(e => e.Id == a.EventId && e.ReceivedUtcTicks < cutoff))
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.EventId, (long?)null), ct);
        var deleted = await db.CameraEvents.Where(e => e.ReceivedUtcTicks < cutoff).ExecuteDeleteAsync(ct);
        if (deleted > 0)
        {
            logger.LogInformation("Removed {Count} camera event(s) older than {Days} days", deleted, days);
            await audit.AppendAsync(new AuditEvent(AuditAction.CameraEventsDeleted, AuditOutcome.Allowed, AlarmStore.HubActor, null, "event retention", null,
                string.Create(CultureInfo.InvariantCulture, $"{deleted} camera event(s) received before {new DateTimeOffset(cutoff, TimeSpan.Zero):O}, retention {days} days"),
                "CameraEvents", null), ct);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                logger.LogError(e, "Camera event sweep failed; retrying at the next interval");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMinutes(Math.Max(1, options.Value.EventSweepMinutes)), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
