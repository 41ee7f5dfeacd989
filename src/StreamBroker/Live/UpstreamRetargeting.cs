using CameraHub.CameraRegistry.Access;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// When the registry changes (a camera edited: the feed's change events), open camera upstreams take the camera's
/// new address or credentials at once (<see cref="PathManager.RetargetAsync"/>).
/// </summary>
internal sealed class UpstreamRetargeting(IEnumerable<IAccessChangeFeed> feeds, PathManager paths, ILogger<UpstreamRetargeting> logger) : IHostedService
{
    private readonly List<IDisposable> _subscriptions = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var feed in feeds)
        {
            _subscriptions.Add(feed.Subscribe(RetargetAsync));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        return Task.CompletedTask;
    }

    private async Task RetargetAsync(AccessChanged change)
    {
        try
        {
            await paths.RetargetAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Re-reading the cameras of open upstreams failed ({Reason})", change.Reason);
        }
    }
}
