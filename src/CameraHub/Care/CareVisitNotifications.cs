using CameraHub.CameraRegistry.Care;
using CameraHub.StreamBroker.Events;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.Care;

/// <summary>
/// Pushes each missed visit over SignalR (<c>careVisitMissed</c> on /hubs/events) to the staff of its care unit,
/// until the alarm desk takes missed visits in as alarms (it subscribes to the same <see cref="ICareVisitFeed"/>).
/// </summary>
public sealed class CareVisitNotifications(ICareVisitFeed feed, IHubContext<CameraEventsHub> hub, IDbContextFactory<CareDbContext> contexts) : IHostedService
{
    /// <summary>The client method name, stable for the console.</summary>
    public const string Method = "careVisitMissed";

    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = feed.Subscribe(async missed =>
        {
            await using var db = await contexts.CreateDbContextAsync();
            var staff = await db.Staff.AsNoTracking().Where(s => s.CareUnit == missed.CareUnit).Select(s => s.UserName).ToListAsync();
            if (staff.Count > 0)
            {
                await hub.Clients.Users(staff).SendAsync(Method, missed);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
