using CameraHub.CameraRegistry.Cameras;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// A service that pulls cameras on its own (the recorder, the warm upstreams): it runs a pass over the registry at
/// the next allowed-hours edge a pass reports, at least every interval, or at once when nudged. A failed pass is
/// logged and retried; it never stops the service (nor the hub).
/// </summary>
public abstract class UpstreamScheduler(TimeProvider time, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _nudge = new(0);

    /// <summary>The clock passes are decided by.</summary>
    protected TimeProvider Time => time;

    /// <summary>The service's log.</summary>
    protected ILogger Logger => logger;

    /// <summary>"recording", "warm upstreams": for the log.</summary>
    protected abstract string Purpose { get; }

    /// <summary>The longest wait between passes.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>Looks at the registry now instead of at the next pass.</summary>
    public void Refresh() => _nudge.Release();

    /// <summary>One pass: attach and detach cameras; returns how long to wait before the next pass.</summary>
    internal abstract Task<TimeSpan> ApplyAsync(CancellationToken ct);

    /// <summary>
    /// Of <paramref name="cameras"/>, those <paramref name="decide"/> opens now and that can be reached, and how long
    /// until the next pass: the first schedule edge among them (a hair after it, so the schedule already answers the
    /// new state), at most the interval.
    /// </summary>
    protected (Dictionary<string, CameraSource> Wanted, TimeSpan Wait) Select(
        IEnumerable<CameraSource> cameras, Func<CameraSource, DateTimeOffset, UpstreamDecision> decide)
    {
        var now = time.GetUtcNow();
        var wait = Interval;
        var wanted = new Dictionary<string, CameraSource>(StringComparer.Ordinal);
        foreach (var camera in cameras)
        {
            var decision = decide(camera, now);
            if (decision.NextChange is { } next && next - now < wait)
            {
                wait = next - now + TimeSpan.FromMilliseconds(50);
            }

            if (decision.Open && !UpstreamSchedule.Unreachable(camera))
            {
                wanted[camera.Id] = camera;
            }
        }

        return (wanted, wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
    }

    /// <summary>Runs passes until the host stops.</summary>
    protected async Task RunPassesAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Interval;
            try
            {
                wait = await ApplyAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                logger.LogError(e, "Deciding which cameras to pull for {Purpose} failed; retrying in {Wait}", Purpose, wait);
            }

            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(wait, time, waiting.Token);
            var nudged = _nudge.WaitAsync(waiting.Token);
            await Task.WhenAny(delay, nudged);
            await waiting.CancelAsync();
            await Task.WhenAll(delay, nudged).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public override void Dispose()
    {
        _nudge.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }
}
