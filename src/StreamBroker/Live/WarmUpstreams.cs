using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// Keeps the upstreams of the <see cref="BrokerOptions.WarmCategories"/> connected with nobody watching, while their
/// allowed hours let anyone watch, so a first viewer gets the buffered keyframe at once instead of a cold start (RTSP
/// setup plus the wait for the camera's next keyframe). Nothing is stored or shown: the path holds one keyframe
/// interval in memory, as it does for any viewer, and viewers still need their own live right.
/// </summary>
public sealed class WarmUpstreams(
    IOptions<BrokerOptions> options, PathManager paths, ICameraDirectory directory, TimeProvider time, ILogger<WarmUpstreams> logger,
    ICameraOwners? owners = null)
    : UpstreamScheduler(time, logger)
{
    private readonly Dictionary<string, RecorderLease> _held = new(StringComparer.Ordinal);

    /// <summary>Cameras kept warm now.</summary>
    public IReadOnlyList<string> WarmCameras
    {
        get
        {
            lock (_held)
            {
                return [.. _held.Keys];
            }
        }
    }

    protected override string Purpose => "warm upstreams";

    protected override TimeSpan Interval => options.Value.WarmInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.WarmCategories.Count == 0)
        {
            return;
        }

        Logger.LogInformation("Keeping the upstreams of {Categories} cameras warm", string.Join(", ", options.Value.WarmCategories));
        if (owners is not null)
        {
            owners.MembershipChanged += Refresh;
        }

        try
        {
            await RunPassesAsync(stoppingToken);
        }
        finally
        {
            if (owners is not null)
            {
                owners.MembershipChanged -= Refresh;
            }
        }
    }

    /// <summary>One pass: hold the cameras that qualify now, let go of the others; returns the wait before the next pass.</summary>
    internal override async Task<TimeSpan> ApplyAsync(CancellationToken ct)
    {
        var categories = options.Value.WarmCategories;
        var (wanted, wait) = Select((await directory.ActiveCamerasAsync(ct)).Where(c => categories.Contains(c.Category)), UpstreamSchedule.ForWarmLive);
        // In a cluster only the camera's owner keeps it warm (issue #17): claim those assigned here, let go of lost ones.
        var mine = new Dictionary<string, CameraSource>(StringComparer.Ordinal);
        foreach (var camera in wanted.Values)
        {
            if (owners is null || await owners.TryClaimAsync(camera.Id, ct))
            {
                mine[camera.Id] = camera;
            }
            else if (owners.IsAssignedLocally(camera.Id) && wait > CameraPath.ClaimRetry)
            {
                wait = CameraPath.ClaimRetry;
            }
        }

        lock (_held)
        {
            foreach (var id in _held.Keys.Where(id => !mine.ContainsKey(id)).ToList())
            {
                _held.Remove(id, out var lease);
                lease!.Dispose();
                Logger.LogInformation("Camera {Camera}: upstream no longer kept warm", id);
            }

            foreach (var camera in mine.Values.Where(c => !_held.ContainsKey(c.Id)))
            {
                _held[camera.Id] = paths.AttachRecorder(camera, KeepAlive.Instance);
                Logger.LogInformation("Camera {Camera}: upstream kept warm", camera.Id);
            }
        }

        return wait;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        lock (_held)
        {
            foreach (var lease in _held.Values)
            {
                lease.Dispose();
            }

            _held.Clear();
        }
    }

    /// <summary>A reader that takes nothing: its hold alone keeps the path (and its keyframe buffer) open.</summary>
    private sealed class KeepAlive : IPathRecorder
    {
        public static readonly KeepAlive Instance = new();

        public void Receive(UpstreamMedia media)
        {
        }

        public void PathClosed()
        {
        }
    }
}
