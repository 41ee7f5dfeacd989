using CameraHub.CameraRegistry.Access;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Sessions;

/// <summary>
/// What keeps a kind of open stream session honest, whoever reads it (people's live views, partner systems): re-check
/// at once when access changes, re-check on a short period (expiry, allowed hours, registry changes), end every session
/// when the hub stops. A failed pass is logged and the next one runs; it never stops the loop.
/// </summary>
internal abstract class SessionSupervisor(IEnumerable<IAccessChangeFeed> feeds, TimeProvider time, ILogger logger, TimeSpan interval) : BackgroundService
{
    private readonly List<IDisposable> _subscriptions = [];

    /// <summary>"live sessions", "partner sessions": for the log.</summary>
    protected abstract string Sessions { get; }

    /// <summary>Re-decides the sessions an access change may affect.</summary>
    protected abstract Task RecheckAsync(AccessChanged change);

    /// <summary>The periodic pass.</summary>
    protected abstract Task SweepAsync(CancellationToken ct);

    /// <summary>Ends every open session with <paramref name="reason"/>.</summary>
    protected abstract Task EndAllAsync(string reason);

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
            await RecheckAsync(change);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Re-checking {Sessions} after an access change failed ({Reason})", Sessions, change.Reason);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
                {
                    logger.LogError(e, "Re-checking {Sessions} failed", Sessions);
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
        await EndAllAsync("the hub is shutting down");
    }
}
