using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Live;

/// <summary>A reader's hold on a camera path; disposing it detaches the reader (and may start the idle grace).</summary>
public sealed class PathLease(PathManager manager, CameraPath path, Viewer viewer) : IAsyncDisposable
{
    private int _disposed;

    public CameraPath Path { get; } = path;

    public Viewer Viewer { get; } = viewer;

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? manager.ReleaseAsync(Path, Viewer) : ValueTask.CompletedTask;
}

/// <summary>A recorder's hold on a camera path; disposing it detaches the recorder.</summary>
internal sealed class RecorderLease(PathManager manager, CameraPath path, IPathRecorder recorder) : IDisposable
{
    private int _disposed;

    public CameraPath Path { get; } = path;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            manager.ReleaseRecorder(Path, recorder);
        }
    }
}

/// <summary>A reader that must see every fragment (no skipping); called under the path's lock, so it must not block.</summary>
internal interface IPathRecorder
{
    /// <summary>An <see cref="InitSegment"/> (new upstream: a gap) or a <see cref="Fragment"/> of the current one.</summary>
    void Receive(UpstreamMedia media);

    /// <summary>The path was closed (broker shutting down).</summary>
    void PathClosed();
}

/// <summary>
/// The registry of camera paths (mediamtx's path manager): the first reader of a camera starts its path, the last
/// one leaving starts the idle grace after which the path and its ffmpeg are closed.
/// </summary>
public sealed class PathManager(
    IOptions<BrokerOptions> options, ILoggerFactory loggers, TimeProvider time, IBrokerEvents events, ICameraDirectory directory,
    IKeyframeRequests? keyframes = null, ICameraOwners? owners = null) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CameraPath> _paths = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<PathManager>();
    private bool _disposed;

    /// <summary>The open derived feeds (masked feeds), for their metrics.</summary>
    public IReadOnlyList<CameraPath> Feeds
    {
        get
        {
            lock (_gate)
            {
                return [.. _paths.Values.Where(p => !p.IsCameraUpstream)];
            }
        }
    }

    /// <summary>The open camera upstreams (not derived feeds), for status pages and tests.</summary>
    public IReadOnlyList<CameraPath> Paths
    {
        get
        {
            lock (_gate)
            {
                return [.. _paths.Values.Where(p => p.IsCameraUpstream)];
            }
        }
    }

    /// <summary>The camera's own upstream path, or a derived feed by its key.</summary>
    public CameraPath? Find(string key)
    {
        lock (_gate)
        {
            return _paths.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// Re-reads every open camera upstream's registry entry; those whose address, transport or credentials changed
    /// reconnect at once with the new ones (a recorded or warm camera never idles out, so it would keep the old ones).
    /// </summary>
    public async Task RetargetAsync(CancellationToken ct)
    {
        foreach (var path in Paths)
        {
            if (await directory.FindAsync(path.Camera.Id, ct) is { } current)
            {
                path.Retarget(current);
            }
        }
    }

    /// <summary>Attaches <paramref name="viewer"/> to the camera's path, starting the path if it is the first reader.</summary>
    public PathLease Attach(CameraSource camera, Viewer viewer)
    {
        CameraPath path;
        int count;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            path = OpenPath(camera.Id, camera, () => new CameraUpstream(camera, options.Value, PathLogger(camera.Id), owners), events, "its first viewer");
            count = path.Attach(viewer);
        }

        _ = PublishCountAsync(camera.Id, count);
        return new PathLease(this, path, viewer);
    }

    /// <summary>
    /// Attaches <paramref name="viewer"/> to a feed derived from a camera (e.g. its masked re-encode), started from
    /// <paramref name="source"/> by its first reader and closed after the idle grace like a camera path.
    /// </summary>
    internal PathLease AttachFeed(string key, CameraSource camera, Func<IPathSource> source, Viewer viewer)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var path = OpenPath(key, camera, source, SilentBrokerEvents.Instance, "its first reader");
            path.Attach(viewer);
            return new PathLease(this, path, viewer);
        }
    }

    /// <summary>
    /// Attaches a lossless recorder to the camera's path (starting it if needed): the same upstream serves live
    /// viewers and recording. Dispose the lease to detach.
    /// </summary>
    internal RecorderLease AttachRecorder(CameraSource camera, IPathRecorder recorder)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var path = OpenPath(camera.Id, camera, () => new CameraUpstream(camera, options.Value, PathLogger(camera.Id), owners), events, "recording");
            path.AttachRecorder(recorder);
            return new RecorderLease(this, path, recorder);
        }
    }

    /// <summary>The open path under <paramref name="key"/>, or a new one started now; call under the lock.</summary>
    private CameraPath OpenPath(string key, CameraSource camera, Func<IPathSource> source, IBrokerEvents pathEvents, string reader)
    {
        if (!_paths.TryGetValue(key, out var path))
        {
            path = new CameraPath(key, camera, source(), options.Value, PathLogger(key), time, pathEvents, keyframes);
            _paths.Add(key, path);
            path.Start();
            _logger.LogInformation("Path {Path}: opened for {Reader}", key, reader);
        }

        return path;
    }

    private ILogger PathLogger(string key) => loggers.CreateLogger($"CameraHub.StreamBroker.Live.CameraPath.{key}");

    internal void ReleaseRecorder(CameraPath path, IPathRecorder recorder)
    {
        if (path.DetachRecorder(recorder) == 0)
        {
            _ = CloseWhenIdleAsync(path);
        }
    }

    internal async ValueTask ReleaseAsync(CameraPath path, Viewer viewer)
    {
        var count = path.Detach(viewer);
        viewer.Dispose();
        if (path.IsCameraUpstream)
        {
            await PublishCountAsync(path.Camera.Id, count);
        }

        if (count == 0)
        {
            _ = CloseWhenIdleAsync(path);
        }
    }

    private async Task CloseWhenIdleAsync(CameraPath path)
    {
        try
        {
            var wait = options.Value.IdleGrace;
            while (true)
            {
                await Task.Delay(wait, time);
                lock (_gate)
                {
                    // Someone came back during the grace, or the path is already closed: keep it / nothing to do.
                    if (_disposed || path.IdleSince is not { } since || !_paths.TryGetValue(path.Key, out var current) || current != path)
                    {
                        return;
                    }

                    // Timers may fire a hair early, and the grace restarts when a viewer came and left again.
                    var idle = time.GetElapsedTime(since);
                    if (idle >= options.Value.IdleGrace)
                    {
                        _paths.Remove(path.Key);
                        break;
                    }

                    wait = options.Value.IdleGrace - idle;
                }
            }

            _logger.LogInformation("Path {Path}: no readers for {Grace}; closing it", path.Key, options.Value.IdleGrace);
            if (path.IsCameraUpstream)
            {
                await ReportBitrateAsync(path);
            }

            await path.DisposeAsync();
            await ReleaseOwnershipAsync(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Closing the idle path {Path} failed", path.Key);
        }
    }

    /// <summary>
    /// Closes the camera's own upstream now, with its viewers and recorders (this node lost or handed over the
    /// camera, issue #17); returns once its ffmpeg has exited.
    /// </summary>
    public async Task CloseCameraAsync(string cameraId)
    {
        CameraPath? path;
        lock (_gate)
        {
            if (_paths.Remove(cameraId, out path) && !path.IsCameraUpstream)
            {
                _paths.Add(cameraId, path);
                path = null;
            }
        }

        if (path is not null)
        {
            _logger.LogInformation("Path {Path}: closed, this node no longer owns the camera", cameraId);
            await path.DisposeAsync();
        }

        await ReleaseOwnershipAsync(cameraId);
    }

    private Task ReleaseOwnershipAsync(CameraPath path) => path.IsCameraUpstream ? ReleaseOwnershipAsync(path.Camera.Id) : Task.CompletedTask;

    private async Task ReleaseOwnershipAsync(string cameraId)
    {
        try
        {
            if (owners is not null)
            {
                await owners.ReleaseAsync(cameraId, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "Camera {Camera}: releasing its ownership failed", cameraId);
        }
    }

    private async Task ReportBitrateAsync(CameraPath path)
    {
        try
        {
            if (path.BitrateKbps > 0)
            {
                await directory.ReportBitrateAsync(path.Camera.Id, path.BitrateKbps, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The bitrate only feeds the cost report; never let it keep a camera open.
            _logger.LogDebug(e, "Could not report the bitrate of camera {Camera}", path.Camera.Id);
        }
    }

    private async Task PublishCountAsync(string cameraId, int count)
    {
        try
        {
            await events.ViewerCountChangedAsync(new ViewerCountEvent(cameraId, count));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogDebug(e, "Could not publish the viewer count of camera {Camera}", cameraId);
        }
    }

    /// <summary>Closes every path: no ffmpeg outlives the broker.</summary>
    public async ValueTask DisposeAsync()
    {
        CameraPath[] paths;
        lock (_gate)
        {
            _disposed = true;
            paths = [.. _paths.Values];
            _paths.Clear();
        }

        await Task.WhenAll(paths.Select(p => p.DisposeAsync().AsTask()));
    }
}
