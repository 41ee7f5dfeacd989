using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// Where a path's fragmented MP4 comes from: the camera's own RTSP upstream, or a process fed from another path (the
/// masked re-encode for partners). The path runs it, reads its stdout, restarts it with backoff and stops it.
/// </summary>
internal interface IPathSource
{
    /// <summary>True for a camera's own upstream: its status and viewer counts are the camera's and are published.</summary>
    bool IsCameraUpstream { get; }

    /// <summary>
    /// Starts one run: an ffmpeg writing fMP4 on stdout. Throws <see cref="InvalidOperationException"/> (or
    /// <see cref="System.ComponentModel.Win32Exception"/>) with a message a person can act on when it cannot start.
    /// </summary>
    Task<FfmpegProcess> StartAsync(CancellationToken ct);

    /// <summary>Whether this node may pull the source now (a camera is pulled only by its owner, issue #17); asked before each start.</summary>
    ValueTask<bool> ClaimAsync(CancellationToken ct) => ValueTask.FromResult(true);
}

/// <summary>A camera's upstream: ffmpeg pulling RTSP with -c copy (see <see cref="UpstreamArguments"/>).</summary>
internal sealed class CameraUpstream(CameraSource camera, BrokerOptions options, ILogger logger, ICameraOwners? owners = null) : IPathSource
{
    private CameraSource _camera = camera;

    public bool IsCameraUpstream => true;

    public ValueTask<bool> ClaimAsync(CancellationToken ct) => owners?.TryClaimAsync(Volatile.Read(ref _camera).Id, ct) ?? ValueTask.FromResult(true);

    public Task<FfmpegProcess> StartAsync(CancellationToken ct)
    {
        var current = Volatile.Read(ref _camera);
        return Task.FromResult(FfmpegProcess.Start(options.FfmpegPath, UpstreamArguments.For(current, options), logger, $"upstream {current.Id}"));
    }

    /// <summary>Takes the registry's current entry for the next run; true when how to reach the camera changed.</summary>
    public bool Retarget(CameraSource updated)
    {
        var old = Interlocked.Exchange(ref _camera, updated);
        return old.RtspUrl != updated.RtspUrl || old.RtspTransport != updated.RtspTransport
            || old.Username != updated.Username || old.Password != updated.Password;
    }
}

/// <summary>Derived feeds are not cameras: their status and reader counts stay out of the console's camera events.</summary>
internal sealed class SilentBrokerEvents : IBrokerEvents
{
    public static readonly SilentBrokerEvents Instance = new();

    public Task CameraStatusChangedAsync(CameraStatusEvent status) => Task.CompletedTask;

    public Task ViewerCountChangedAsync(ViewerCountEvent count) => Task.CompletedTask;

    public Task SessionEndedAsync(SessionEndedEvent ended) => Task.CompletedTask;
}
