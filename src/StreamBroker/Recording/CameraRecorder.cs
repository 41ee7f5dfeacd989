using System.Threading.Channels;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Recording;

/// <summary>
/// Writes one camera's path to segment files: a lossless reader (every fragment, unlike a viewer) whose queue the
/// path fills without waiting and whose writer loop appends to "&lt;start&gt;.mp4.partial", flushing each fragment, and
/// at the first keyframe after the segment length syncs, renames to ".mp4" and indexes the segment.
/// </summary>
internal sealed class CameraRecorder : IPathRecorder, IAsyncDisposable
{
    // Bounded by bytes in Receive, not by count: fragments vary from a few kB to a few MB.
    private readonly Channel<(UpstreamMedia Media, DateTimeOffset ReceivedAt)> _queue =
        Channel.CreateUnbounded<(UpstreamMedia, DateTimeOffset)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CameraSource _camera;
    private readonly RecordingOptions _options;
    private readonly SegmentIndex _index;
    private readonly ICameraDirectory _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _node;
    private readonly Task _run;
    private long _queuedBytes;
    private int _overflows;
    private long _bytesWritten;
    private volatile bool _dropping;
    private OpenSegment? _open;
    private InitSegment? _init;
    private DateTimeOffset? _continueAt;

    private CameraRecorder(CameraSource camera, RecordingOptions options, SegmentIndex index, ICameraDirectory directory, TimeProvider time, ILogger logger, string? node)
    {
        _node = node;
        _camera = camera;
        _options = options;
        _index = index;
        _directory = directory;
        _time = time;
        _logger = logger;
        _run = Task.Run(RunAsync);
    }

    public string CameraId => _camera.Id;

    /// <summary>The writer stopped (failed, or the path closed): the Recorder replaces it.</summary>
    public bool Stopped => _run.IsCompleted;

    /// <summary>Segments this recorder closed and indexed.</summary>
    public int SegmentsWritten { get; private set; }

    /// <summary>
    /// Starts a recorder for <paramref name="camera"/>. A LiveOnly camera is refused here, whoever asks, so no code path
    /// can open a file for it (DESIGN.md 4.1). Each segment's row names <c>node</c>, the node writing, so a gap where
    /// recording moved between nodes says so.
    /// </summary>
    public static CameraRecorder Start(CameraSource camera, RecordingOptions options, SegmentIndex index, ICameraDirectory directory, TimeProvider time, ILogger logger,
        string? node = null)
    {
        if (camera.Mode == CameraMode.LiveOnly || camera.Category == CameraCategory.CareHome)
        {
            throw new InvalidOperationException($"camera {camera.Id} is live only; it is never recorded");
        }

        return new CameraRecorder(camera, options, index, directory, time, logger, node);
    }

    /// <summary>Bytes queued for the writer and not yet written.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Times the writer fell so far behind that footage was dropped (each one is a gap in the recording).</summary>
    public int Overflows => _overflows;

    /// <summary>True while footage is being dropped (the backlog has not yet halved since it overflowed).</summary>
    public bool Dropping => _dropping;

    /// <summary>Fragment bytes appended to segment files by this writer.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    // Called by the path without waiting. A disk that stalls must not grow memory without bound: past the limit the
    // recorder drops media, tells the writer to close the segment where the footage stops, and takes media again at
    // the next keyframe once the backlog has halved; the hole is an ordinary gap in the index.
    public void Receive(UpstreamMedia media)
    {
        var bytes = SizeOf(media);
        if (_dropping)
        {
            var resume = Interlocked.Read(ref _queuedBytes) <= _options.MaxQueuedBytesPerCamera / 2 && media is InitSegment or Fragment { Keyframe: true };
            if (!resume)
            {
                return;
            }

            _dropping = false;
        }
        else if (Interlocked.Read(ref _queuedBytes) + bytes > _options.MaxQueuedBytesPerCamera)
        {
            _dropping = true;
            Interlocked.Increment(ref _overflows);
            RecordingMetrics.Gap();
            _queue.Writer.TryWrite((Overflow.Instance, _time.GetUtcNow()));
            return;
        }

        Interlocked.Add(ref _queuedBytes, bytes);
        _queue.Writer.TryWrite((media, _time.GetUtcNow()));
    }

    private static long SizeOf(UpstreamMedia media) => media switch
    {
        InitSegment init => init.Data.Length,
        Fragment fragment => fragment.Data.Length,
        _ => 0,
    };

    public void PathClosed() => _queue.Writer.TryComplete();

    private async Task RunAsync()
    {
        try
        {
            await foreach (var (media, receivedAt) in _queue.Reader.ReadAllAsync())
            {
                Interlocked.Add(ref _queuedBytes, -SizeOf(media));
                switch (media)
                {
                    case Overflow:
                        // Footage was dropped behind this point: end the segment here so the index shows the hole.
                        _logger.LogError("Recording camera {Camera} fell {Limit} bytes behind the disk; footage is dropped until it catches up (a gap in the recording)",
                            _camera.Id, _options.MaxQueuedBytesPerCamera);
                        await CloseAsync();
                        _continueAt = null;
                        break;
                    case InitSegment init:
                        // A new upstream (camera reconnected): what was written so far is complete; the hole is a gap.
                        await CloseAsync();
                        _continueAt = null;
                        _init = init;
                        break;
                    case Fragment fragment when _init is not null:
                        await WriteAsync(_init, fragment, receivedAt);
                        break;
                    default:
                        break;
                }
            }

            await CloseAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Disk full, storage gone, database locked: this recorder stops and the Recorder starts a new one at its
            // next pass; what was written stays for the start-up reconciliation (a .partial or an unindexed .mp4).
            _logger.LogError(e, "Recording camera {Camera} failed; the footage since the last segment is kept for recovery", _camera.Id);
            _open?.Abandon();
            _open = null;
        }
    }

    private async Task WriteAsync(InitSegment init, Fragment fragment, DateTimeOffset receivedAt)
    {
        if (_open is { } open && fragment.Keyframe && open.Duration >= _options.SegmentLength)
        {
            await CloseAsync();
        }

        if (_open is null)
        {
            if (!fragment.Keyframe)
            {
                return;
            }

            // A segment following another of the same upstream starts where that one ended, so rotation leaves no
            // artificial gap or overlap; otherwise the first fragment's arrival (not when a slow disk got to it) is the start.
            var start = _continueAt ?? receivedAt;
            _open = await OpenSegment.CreateAsync(_options.StorageRoot, _camera.Id, start, init);
        }

        await _open.AppendAsync(fragment);
        Interlocked.Add(ref _bytesWritten, fragment.Data.Length);
        RecordingMetrics.Written(fragment.Data.Length);
    }

    private async Task CloseAsync()
    {
        if (_open is not { } open)
        {
            return;
        }

        _open = null;
        var segment = await open.CompleteAsync();
        segment.Node = _node;
        _continueAt = segment.End;
        await _index.AddAsync(segment, CancellationToken.None);
        SegmentsWritten++;
        RecordingMetrics.SegmentClosed();
        _logger.LogDebug("Camera {Camera}: segment {Path} closed ({Bytes} bytes)", _camera.Id, segment.Path, segment.Bytes);
        var seconds = (segment.End - segment.Start).TotalSeconds;
        if (seconds > 0)
        {
            try
            {
                await _directory.ReportBitrateAsync(_camera.Id, segment.Bytes * 8 / 1000.0 / seconds, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The bitrate only feeds the cost report.
                _logger.LogDebug(e, "Could not report the bitrate of camera {Camera}", _camera.Id);
            }
        }
    }

    /// <summary>Closes the segment being written (complete and indexed) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _run;
    }

    /// <summary>The segment being written: a .partial file that becomes the .mp4 on completion.</summary>
    private sealed class OpenSegment(FileStream file, string root, string relativePath, string cameraId, DateTimeOffset start, uint timescale)
    {
        private ulong _units;

        public TimeSpan Duration => TimeSpan.FromSeconds(_units / (double)timescale);

        public static async Task<OpenSegment> CreateAsync(string root, string cameraId, DateTimeOffset start, InitSegment init)
        {
            var relative = SegmentFiles.RelativePath(cameraId, start);
            var full = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var file = new FileStream(full[..^SegmentFiles.Extension.Length] + SegmentFiles.PartialExtension,
                FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
            await file.WriteAsync(init.Data);
            return new OpenSegment(file, root, relative, cameraId, start, init.Timescale);
        }

        public async Task AppendAsync(Fragment fragment)
        {
            await file.WriteAsync(fragment.Data);
            // Into the OS per fragment: a crash of the hub then loses nothing already received.
            await file.FlushAsync();
            _units += fragment.Duration;
        }

        /// <summary>Syncs, renames to .mp4 and returns the row to index (write, fsync, rename, insert).</summary>
        public async Task<RecordingSegment> CompleteAsync()
        {
            var partial = file.Name;
            file.Flush(flushToDisk: true);
            var bytes = file.Length;
            await file.DisposeAsync();
            File.Move(partial, Path.Combine(root, relativePath));
            return new RecordingSegment
            {
                CameraId = cameraId,
                StartUtcTicks = start.UtcTicks,
                EndUtcTicks = (start + Duration).UtcTicks,
                Path = relativePath,
                Bytes = bytes,
            };
        }

        public void Abandon() => file.Dispose();
    }
}

/// <summary>Marks, in a recorder's queue, the point after which footage was dropped.</summary>
internal sealed record Overflow : UpstreamMedia
{
    public static readonly Overflow Instance = new();
}
