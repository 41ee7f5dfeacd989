using System.Collections.Concurrent;
using System.Globalization;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Processes;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Sharing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Playback;

/// <summary>What one masked playback encode reads: the recorded files from the seek point on, and the mask they are masked with.</summary>
/// <param name="ListFile">An ffmpeg concat list of the segment files, the one holding the seek point first.</param>
/// <param name="SeekSeconds">Where in the first listed file to start (ffmpeg decodes from the keyframe before and drops what precedes).</param>
/// <param name="MaskFile">The obscure-mask PNG ffmpeg overlays (see <see cref="FeedMask"/>).</param>
/// <param name="MaskSha256">The hash of the mask, for the audit.</param>
/// <param name="MaskVersions">The mask versions it was made from, for the audit.</param>
/// <param name="Width">Picture width of the recording.</param>
/// <param name="Height">Picture height of the recording.</param>
/// <param name="BlockSize">Edge of a pixelation block in pixels.</param>
public sealed record MaskedPlaybackInput(string ListFile, double SeekSeconds, string MaskFile, string MaskSha256, int Width, int Height, int BlockSize, string MaskVersions = "");

/// <summary>
/// Playback of a masked camera (DESIGN.md 4.6): masked on the fly from the recorded original, starting at the seek
/// point, with one masked encode per playback session — the same ffmpeg filter and encoder as the live masked feed
/// (the static mask). The WebSocket path reads the encoder's fMP4 from stdout; HLS gets one encoder per session
/// writing an event playlist into a directory of its own, removed when the session goes quiet.
/// </summary>
public sealed class MaskedPlayback(
    IFeedMasks masks, ICameraDirectory cameras, IOptions<RecordingOptions> recording, IOptions<BrokerOptions> broker, TimeProvider time,
    ILogger<MaskedPlayback> logger) : IAsyncDisposable
{
    private static readonly TimeSpan HlsIdle = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, MaskedHlsRun> _hls = new(StringComparer.Ordinal);

    /// <summary>The directory masked playback works in (concat lists, HLS runs).</summary>
    private static string WorkDirectory => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "camerahub-masked-playback")).FullName;

    /// <summary>
    /// The encode's input for <paramref name="segments"/> of <paramref name="cameraId"/> from <paramref name="seekTo"/>;
    /// the mask is made for the recorded picture's size. The caller deletes <see cref="MaskedPlaybackInput.ListFile"/>.
    /// </summary>
    /// <exception cref="MaskUnavailableException">No mask can be made, or no footage is left to mask (the message says which).</exception>
    public async Task<MaskedPlaybackInput> PrepareAsync(string cameraId, IReadOnlyList<RecordingSegment> segments, DateTimeOffset seekTo, CancellationToken ct)
    {
        var camera = await cameras.FindAsync(cameraId, ct)
            ?? throw new MaskUnavailableException($"camera '{cameraId}' is no longer in the registry");
        var files = new List<(RecordingSegment Segment, string Path)>();
        SegmentFiles.Contents? first = null;
        foreach (var segment in segments.Where(s => s.End > seekTo))
        {
            var path = Path.Combine(recording.Value.StorageRoot, segment.Path);
            if (!File.Exists(path))
            {
                continue;
            }

            first ??= await SegmentFiles.ReadAsync(path, ct);
            if (first is not null)
            {
                files.Add((segment, path));
            }
        }

        if (first is null || AvcConfig.FromInit(first.Init) is not { Width: > 0, Height: > 0 } config)
        {
            throw new MaskUnavailableException($"no playable H.264 footage of camera '{cameraId}' is left in this window");
        }

        // The mask in force when the played footage was recorded, not today's.
        var mask = await masks.GetRecordedAsync(camera, seekTo, files[^1].Segment.End, config.Width, config.Height, ct);
        var maskFile = await MaskedFeedSource.MaskFileAsync(mask, ct);
        var list = Path.Combine(WorkDirectory, $"{SegmentFiles.SafeName(cameraId)}-{Guid.NewGuid():N}.txt");
        // The concat demuxer shifts each file's timestamps to follow the previous one, whatever the file's own start.
        await File.WriteAllLinesAsync(list, files.Select(f => $"file '{f.Path.Replace("'", "'\\''", StringComparison.Ordinal)}'"), ct);
        var seek = Math.Max(0, (seekTo - files[0].Segment.Start).TotalSeconds);
        return new MaskedPlaybackInput(list, seek, maskFile, mask.Sha256, config.Width, config.Height, mask.BlockSize, mask.Versions);
    }

    /// <summary>A marker in a playback encoder's arguments naming the camera (not the live feed's marker).</summary>
    public static string Marker(string cameraId) => $"CameraHub-masked playback={cameraId}";

    /// <summary>The encode's arguments up to its output: concat input from the seek point, the mask, the shared filter and encoder.</summary>
    public static IReadOnlyList<string> InputAndEncode(string cameraId, MaskedPlaybackInput input) =>
    [
        "-hide_banner", "-nostats", "-loglevel", "error",
        "-f", "concat", "-safe", "0", "-ss", input.SeekSeconds.ToString("0.###", CultureInfo.InvariantCulture), "-i", input.ListFile,
        .. MaskedFeedArguments.MaskAndEncode(Marker(cameraId), input.MaskFile, input.Width, input.Height, input.BlockSize),
    ];

    /// <summary>Starts an encode writing fMP4 (one fragment per frame) on stdout, for the WebSocket.</summary>
    public FfmpegProcess StartFragments(string cameraId, MaskedPlaybackInput input) =>
        FfmpegProcess.Start(broker.Value.FfmpegPath,
            [.. InputAndEncode(cameraId, input), "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_every_frame", "pipe:1"],
            logger, $"masked playback {cameraId}");

    /// <summary>The HLS encode of a session, started by its first playlist request; null when the session has none yet and none can start.</summary>
    /// <exception cref="MaskUnavailableException">No mask can be made.</exception>
    public async Task<MaskedHlsRun> HlsAsync(PlaybackSession session, CancellationToken ct)
    {
        if (_hls.TryGetValue(session.Id, out var running))
        {
            running.Touch(time.GetUtcNow());
            return running;
        }

        var input = await PrepareAsync(session.CameraId, session.Segments, session.Segments[0].Start, ct);
        var directory = Directory.CreateDirectory(Path.Combine(WorkDirectory, $"hls-{session.Id}")).FullName;
        var process = FfmpegProcess.Start(broker.Value.FfmpegPath,
            [
                .. InputAndEncode(session.CameraId, input),
                "-f", "hls", "-hls_time", "2", "-hls_list_size", "0", "-hls_playlist_type", "event",
                "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
                "-hls_segment_filename", Path.Combine(directory, "%d.m4s"), "-hls_flags", "independent_segments+temp_file",
                Path.Combine(directory, "index.m3u8"),
            ], logger, $"masked playback HLS {session.CameraId}");
        var run = new MaskedHlsRun(session.Id, directory, input.ListFile, process, input.MaskSha256, time.GetUtcNow());
        if (!_hls.TryAdd(session.Id, run))
        {
            await run.DisposeAsync();
            return _hls[session.Id];
        }

        _ = ReapWhenIdleAsync(run);
        return run;
    }

    /// <summary>Stops a session's HLS encode and removes its files once no request came for a minute.</summary>
    private async Task ReapWhenIdleAsync(MaskedHlsRun run)
    {
        try
        {
            while (time.GetUtcNow() - run.LastRequest < HlsIdle)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), time);
            }
        }
        finally
        {
            _hls.TryRemove(run.SessionId, out _);
            await run.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var run in _hls.Values)
        {
            await run.DisposeAsync();
        }

        _hls.Clear();
    }
}

/// <summary>One session's masked HLS encode: ffmpeg's event playlist, init and segments in <see cref="Directory"/>.</summary>
public sealed class MaskedHlsRun(string sessionId, string directory, string listFile, FfmpegProcess process, string maskSha256, DateTimeOffset started)
    : IAsyncDisposable
{
    private long _lastRequestTicks = started.UtcTicks;
    private int _disposed;

    public string SessionId { get; } = sessionId;

    public string Directory { get; } = directory;

    public string MaskSha256 { get; } = maskSha256;

    public DateTimeOffset LastRequest => new(Interlocked.Read(ref _lastRequestTicks), TimeSpan.Zero);

    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastRequestTicks, now.UtcTicks);

    /// <summary>
    /// The playlist with at least one segment, its URIs under <c>m/</c> (the route of the run's files), or null when
    /// the encoder wrote none within <paramref name="within"/> (its last error is in <see cref="Failure"/>).
    /// </summary>
    public async Task<string?> PlaylistAsync(TimeSpan within, TimeProvider time, CancellationToken ct)
    {
        var file = Path.Combine(Directory, "index.m3u8");
        var deadline = time.GetUtcNow() + within;
        while (true)
        {
            if (File.Exists(file))
            {
                var text = await File.ReadAllTextAsync(file, ct);
                if (text.Contains("#EXTINF", StringComparison.Ordinal))
                {
                    return string.Join('\n', text.Split('\n').Select(line =>
                        line.Length > 0 && !line.StartsWith('#') ? $"m/{line}" : line.Replace("URI=\"init.mp4\"", "URI=\"m/init.mp4\"", StringComparison.Ordinal)));
                }
            }

            if (process.Exited.IsCompleted || time.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
    }

    /// <summary>Why the encoder stopped early (its last stderr lines).</summary>
    public string Failure => process.Tail;

    /// <summary>The path of one of the run's files (<c>init.mp4</c> or <c>N.m4s</c>), or null for any other name.</summary>
    public string? FileOf(string name) =>
        name == "init.mp4" || (name.EndsWith(".m4s", StringComparison.Ordinal) && long.TryParse(name[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? Path.Combine(Directory, name)
            : null;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await process.StopAsync(TimeSpan.FromSeconds(2));
        await process.DisposeAsync();
        try
        {
            File.Delete(listFile);
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still open; the temp directory is cleaned by the OS
        }
    }
}
