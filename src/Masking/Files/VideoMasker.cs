using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using CameraHub.Masking.Anonymisation;
using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace CameraHub.Masking.Files;

/// <summary>Encoder and detector settings for masking files.</summary>
public sealed record VideoMaskerOptions
{
    public string Ffmpeg { get; init; } = "ffmpeg";
    public string Ffprobe { get; init; } = "ffprobe";
    /// <summary>libx264 preset; the benchmark's baseline uses the same one.</summary>
    public string Preset { get; init; } = "veryfast";
    /// <summary>libx264 constant rate factor: 20 keeps the kept zone visually lossless for evidence.</summary>
    public int Crf { get; init; } = 20;
    public PersonStageOptions People { get; init; } = new();
}

/// <summary>What masking a file did.</summary>
public sealed record MaskResult(
    string OutputPath,
    VideoInfo Input,
    int Frames,
    int FramesObscuredEntirely,
    int PeopleObscured,
    string MaskSha256,
    string? FailClosedReason)
{
    /// <summary>The person detector that ran (null when the profile needs none), for manifests.</summary>
    public string? Detector { get; init; }

    /// <summary>Detections the person stage ran (every n-th frame, and on scene changes).</summary>
    public int Detections { get; init; }

    /// <summary>Time the person stage's detector took in all.</summary>
    public TimeSpan DetectorTime { get; init; }

    /// <summary>Time the person stage's moving-foreground detector took in all (it looks at every frame).</summary>
    public TimeSpan ForegroundTime { get; init; }

    /// <summary>Detections skipped because nothing moved in the leak region (boxes carried instead).</summary>
    public int DetectionsSkipped { get; init; }
}

/// <summary>A part of the input to mask: from <paramref name="Start"/> (decoded and dropped up to the exact frame) for <paramref name="Duration"/>.</summary>
public readonly record struct VideoWindow(TimeSpan Start, TimeSpan Duration);

/// <summary>
/// Masks a video file: ffmpeg decodes to raw planar 4:2:0 frames on a pipe, OpenCV masks them, a second ffmpeg encodes
/// H.264 MP4 from its stdin at the input's size and frame rate. Audio is dropped unless the profile allows it.
/// Decoding, masking and encoding run concurrently, linked by small bounded queues.
/// </summary>
public sealed class VideoMasker(ILogger<VideoMasker>? logger = null, VideoMaskerOptions? options = null)
{
    private const int QueueDepth = 3;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger = logger ?? NullLogger<VideoMasker>.Instance;
    private readonly VideoMaskerOptions _options = options ?? new VideoMaskerOptions();

    /// <summary>Probes <paramref name="input"/> (size, frame rate, frame count) with ffprobe.</summary>
    public Task<VideoInfo> ProbeAsync(string input, CancellationToken ct) => VideoProbe.ProbeAsync(input, _logger, ct, _options.Ffprobe);

    /// <summary>
    /// Masks <paramref name="input"/> into <paramref name="output"/> (MP4) with the plan <paramref name="planFor"/> builds for
    /// the probed picture size; the plan may refuse (throw) before anything is written.
    /// </summary>
    public async Task<MaskResult> MaskFileAsync(string input, string output, Func<VideoInfo, MaskingPlan> planFor, CancellationToken ct, VideoWindow? window = null)
    {
        var info = await ProbeAsync(input, ct);
        var plan = planFor(info);
        if (_options.People.OpenCvThreads > 0 && Cv2.GetNumThreads() != _options.People.OpenCvThreads)
        {
            // Process-wide, and set before the first frame: every stage of this pipeline is one thread already.
            Cv2.SetNumThreads(_options.People.OpenCvThreads);
        }

        if (plan.FailClosedReason is { } reason)
        {
            _logger.LogWarning("Masking {Input}: {Reason}", input, reason);
        }

        using var anonymiser = plan.CreateAnonymiser(_options.People);
        var decoder = FfmpegProcess.Start(_options.Ffmpeg, DecoderArguments(input, window), _logger, $"decode {Path.GetFileName(input)}");
        var encoder = FfmpegProcess.Start(_options.Ffmpeg, EncoderArguments(input, output, info, plan.AllowAudio && info.HasAudio && window is null, _options), _logger, $"encode {Path.GetFileName(output)}");
        var completed = false;
        try
        {
            var stats = await PumpAsync(decoder, encoder, anonymiser, plan, info, ct);
            var decoded = await decoder.Exited.WaitAsync(ct);
            var encoded = await encoder.Exited.WaitAsync(ct);
            if (decoded != 0)
            {
                throw new InvalidDataException($"ffmpeg could not decode {input} (exit {decoded}): {decoder.Tail}");
            }

            if (encoded != 0)
            {
                throw new InvalidDataException($"ffmpeg could not encode {output} (exit {encoded}): {encoder.Tail}");
            }

            completed = true;
            _logger.LogInformation("Masked {Input} → {Output}: {Frames} frames, {People} people obscured in {Detections} detections ({Detector}), mask {Sha}",
                input, output, stats.Frames, stats.People, stats.Detections, anonymiser.People is null ? "none" : PersonStage.DetectorName, plan.Mask.Sha256);
            return new MaskResult(output, info, stats.Frames, stats.Whole, stats.People, plan.Mask.Sha256, plan.FailClosedReason)
            {
                Detector = anonymiser.People is null ? null : PersonStage.DetectorName,
                Detections = stats.Detections,
                DetectorTime = stats.DetectorTime,
                ForegroundTime = stats.ForegroundTime,
                DetectionsSkipped = stats.Skipped,
            };
        }
        finally
        {
            await decoder.DisposeAsync();
            await encoder.DisposeAsync();
            if (!completed)
            {
                // A half-written file must not pass for a masked copy.
                File.Delete(output);
            }
        }
    }

    private static async Task<(int Frames, int Whole, int People, int Detections, TimeSpan DetectorTime, TimeSpan ForegroundTime, int Skipped)> PumpAsync(
        FfmpegProcess decoder, FfmpegProcess encoder, FrameAnonymiser anonymiser, MaskingPlan plan, VideoInfo info, CancellationToken ct)
    {
        var frameBytes = FrameBuffer.SizeOf(info.Width, info.Height);
        using var schedule = anonymiser.People is { } stage ? new PersonSchedule<FrameBuffer>(stage, info.FramesPerSecond) : null;
        var free = Channel.CreateUnbounded<FrameBuffer>();
        var decoded = Channel.CreateBounded<FrameBuffer>(QueueDepth);
        var decided = Channel.CreateBounded<(FrameBuffer Frame, PersonVerdict Verdict)>(QueueDepth);
        // The person stage holds up to one detection interval of frames until the detection after them has run, then
        // lets them go at once: the queue to the encoder holds a whole interval so the encoder never waits for a detection.
        var held = schedule?.DetectEvery ?? 0;
        var masked = Channel.CreateBounded<FrameBuffer>(QueueDepth + held);
        var buffers = Enumerable.Range(0, (3 * QueueDepth) + (2 * held) + 2).Select(_ => new FrameBuffer(info.Width, info.Height)).ToList();
        foreach (var b in buffers)
        {
            free.Writer.TryWrite(b);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = linked.Token;
        var reading = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var buffer = await free.Reader.ReadAsync(token);
                    var read = await decoder.StandardOutput.ReadAtLeastAsync(buffer.Bytes, frameBytes, throwOnEndOfStream: false, token);
                    if (read == 0)
                    {
                        break;
                    }

                    if (read < frameBytes)
                    {
                        throw new InvalidDataException($"the decoder stopped in the middle of a frame ({read} of {frameBytes} bytes): {decoder.Tail}");
                    }

                    await decoded.Writer.WriteAsync(buffer, token);
                }

                decoded.Writer.TryComplete();
            }
            catch (Exception e)
            {
                decoded.Writer.TryComplete(e);
                throw;
            }
        }, token);

        // The person stage runs on its own task beside masking and encoding: detection on frame k overlaps the masking
        // and encoding of the frames before it.
        var people = Task.Run(async () =>
        {
            try
            {
                await foreach (var buffer in decoded.Reader.ReadAllAsync(token))
                {
                    if (schedule is null)
                    {
                        await decided.Writer.WriteAsync((buffer, PersonVerdict.Nobody), token);
                        continue;
                    }

                    foreach (var ready in schedule.Push(buffer, buffer.Y))
                    {
                        await decided.Writer.WriteAsync(ready, token);
                    }
                }

                foreach (var ready in schedule?.Complete() ?? [])
                {
                    await decided.Writer.WriteAsync(ready, token);
                }

                decided.Writer.TryComplete();
            }
            catch (Exception e)
            {
                decided.Writer.TryComplete(e);
                throw;
            }
        }, token);

        var writing = Task.Run(async () =>
        {
            try
            {
                var stdin = encoder.StandardInput;
                await foreach (var buffer in masked.Reader.ReadAllAsync(token))
                {
                    await stdin.WriteAsync(buffer.Bytes.AsMemory(0, frameBytes), token);
                    free.Writer.TryWrite(buffer);
                }

                await stdin.FlushAsync(token);
                stdin.Close();
            }
            catch (IOException e)
            {
                // The encoder went away: stop the other stages instead of letting them wait on a full queue.
                await linked.CancelAsync();
                throw new InvalidDataException($"the encoder stopped accepting frames: {encoder.Tail}", e);
            }
        }, token);

        int frames = 0, whole = 0, obscured = 0;
        try
        {
            await foreach (var (buffer, verdict) in decided.Reader.ReadAllAsync(token))
            {
                var outcome = anonymiser.ApplyI420(buffer.Y, buffer.U, buffer.V, verdict);
                frames++;
                whole += outcome.ObscuredEntirely || plan.FailClosedReason is not null ? 1 : 0;
                obscured += outcome.PeopleObscured;
                await masked.Writer.WriteAsync(buffer, token);
            }

            masked.Writer.TryComplete();
            await Task.WhenAll(reading, people, writing);
        }
        catch (Exception e)
        {
            masked.Writer.TryComplete();
            await linked.CancelAsync();
            decoder.Kill();
            encoder.Kill();
            // Report the stage that failed first rather than the cancellation it caused in the others.
            var cause = new[] { reading, people, writing }.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault();
            if (cause is not null && e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
        finally
        {
            foreach (var b in buffers)
            {
                b.Dispose();
            }
        }

        return (frames, whole, obscured, schedule?.Detections ?? 0, schedule?.DetectorTime ?? TimeSpan.Zero, schedule?.ForegroundTime ?? TimeSpan.Zero, schedule?.Skipped ?? 0);
    }

    private static List<string> DecoderArguments(string input, VideoWindow? window) =>
    [
        "-hide_banner", "-nostats", "-v", "error", "-nostdin",
        // Input seeking while transcoding is exact: ffmpeg starts at the keyframe before and decodes and drops up to the
        // first frame of the window, so no lossless intermediate cut is needed.
        .. window is { } w ? new[] { "-ss", Seconds(w.Start), "-t", Seconds(w.Duration) } : [],
        "-i", input,
        "-map", "0:v:0",
        // One output frame per decoded frame: no duplication or dropping, so frame counts match.
        "-fps_mode", "passthrough",
        // Planar 4:2:0 as decoded: no colour conversion on either side, half the bytes of BGR through the pipes.
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1",
    ];

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static List<string> EncoderArguments(string input, string output, VideoInfo info, bool withAudio, VideoMaskerOptions options)
    {
        var args = new List<string>
        {
            "-hide_banner", "-nostats", "-v", "error",
            "-f", "rawvideo", "-pix_fmt", "yuv420p",
            "-video_size", string.Create(CultureInfo.InvariantCulture, $"{info.Width}x{info.Height}"),
            "-framerate", info.FrameRate,
            "-i", "pipe:0",
        };
        if (withAudio)
        {
            args.AddRange(["-i", input, "-map", "0:v:0", "-map", "1:a:0", "-c:a", "aac", "-shortest"]);
        }
        else
        {
            args.Add("-an");
        }

        args.AddRange(
        [
            "-c:v", "libx264", "-preset", options.Preset, "-crf", options.Crf.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p", "-r", info.FrameRate,
            "-movflags", "+faststart", "-y", output,
        ]);
        return args;
    }

    /// <summary>One planar 4:2:0 frame's bytes, pinned so OpenCV works on the Y, U and V planes in place.</summary>
    private sealed class FrameBuffer : IDisposable
    {
        public FrameBuffer(int width, int height)
        {
            var cw = (width + 1) / 2;
            var ch = (height + 1) / 2;
            Bytes = GC.AllocateArray<byte>(SizeOf(width, height), pinned: true);
            Y = Mat.FromPixelData(height, width, MatType.CV_8UC1, Marshal.UnsafeAddrOfPinnedArrayElement(Bytes, 0));
            U = Mat.FromPixelData(ch, cw, MatType.CV_8UC1, Marshal.UnsafeAddrOfPinnedArrayElement(Bytes, width * height));
            V = Mat.FromPixelData(ch, cw, MatType.CV_8UC1, Marshal.UnsafeAddrOfPinnedArrayElement(Bytes, (width * height) + (cw * ch)));
        }

        public byte[] Bytes { get; }
        public Mat Y { get; }
        public Mat U { get; }
        public Mat V { get; }

        public static int SizeOf(int width, int height) => (width * height) + (2 * ((width + 1) / 2) * ((height + 1) / 2));

        public void Dispose()
        {
            Y.Dispose();
            U.Dispose();
            V.Dispose();
        }
    }
}
