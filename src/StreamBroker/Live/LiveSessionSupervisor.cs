using CameraHub.CameraRegistry.Access;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// Keeps open sessions honest: re-checks them with the policy whenever access changes (revocation ends a view at
/// once), ends them when allowed hours end or HLS goes quiet (checked every second), and ends all at shutdown.
/// </summary>
internal sealed class LiveSessionSupervisor(
    LiveSessions sessions, IEnumerable<IAccessChangeFeed> feeds, TimeProvider time, ILogger<LiveSessionSupervisor> logger) : BackgroundService
{
    private readonly List<IDisposable> _subscriptions = [];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var feed in feeds)
        {
            _subscriptions.Add(feed.Subscribe(OnAccessChangedAsync));
        }

        return base.StartAsync(cancellationToken);
    }

    private async Task OnAccessChangedAsync(AccessChanged change)
    {
        try
        {
            await sessions.RecheckAsync(change, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Re-checking live sessions after an access change failed ({Reason})", change.Reason);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await sessions.SweepAsync();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    logger.LogError(e, "Sweeping live sessions failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // host stopping
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        await base.StopAsync(cancellationToken);
        await sessions.EndAllAsync("the hub is shutting down");
    }
}
