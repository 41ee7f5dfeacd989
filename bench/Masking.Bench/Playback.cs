using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Feeds;
using CameraHub.Masking.Files;
using CameraHub.Masking.Masks;
using CameraHub.StreamBroker.Playback;

/// <summary>
/// Masked playback (bench/RESULTS.md "Masked playback"): recorded 1080p25 fMP4 segments, played from a seek point with
/// exactly the hub's masked playback encode (<see cref="MaskedPlayback.InputAndEncode"/>, fMP4 on stdout as the
/// WebSocket reads it), unpaced: time to the first complete fragment and frames per second, for a polygon mask and the
/// school façade mask; then what playback would cost with the full façade plan (static mask + person stage, the
/// export pipeline <see cref="VideoMasker"/>) against the static mask alone on the same footage.
/// Usage: CameraHub.Masking.Bench playback [runs] [preset] [workdir] (bench/masked-paths.sh).
/// </summary>
internal static class PlaybackBench
{
    private const int Width = 1920;
    private const int Height = 1080;

    public static async Task RunAsync(int runs, string work, string clip, string repo, Func<string, string[], Task> tool)
    {
        // Recorded footage: 4-second fMP4 segments as the recorder writes them (init + one fragment per keyframe).
        var segments = Path.Combine(work, "segments");
        if (!Directory.Exists(segments))
        {
            Directory.CreateDirectory(segments);
            await tool("ffmpeg", ["-v", "error", "-i", clip, "-t", "40", "-c", "copy", "-f", "segment", "-segment_time", "4", "-reset_timestamps", "0",
                "-segment_format", "mp4", "-segment_format_options", "movflags=empty_moov+default_base_moof+frag_keyframe", Path.Combine(segments, "seg%03d.mp4")]);
        }

        var files = Directory.GetFiles(segments, "seg*.mp4").Order(StringComparer.Ordinal).ToList();
        var list = Path.Combine(work, "playback.txt");
        await File.WriteAllLinesAsync(list, files.Select(f => $"file '{f}'"));

        using var cache = new MaskCache();
        var calibration = JsonSerializer.Deserialize<CameraCalibration>(
            File.ReadAllText(Path.Combine(repo, "samples", "goteborg", "calibrations", "SKO-001-K01.json")), JsonSerializerOptions.Web)!;
        var facade = MaskingPlan.For(new MaskingProfile { Kind = MaskingKind.FacadeDistance }, calibration, cache, Width, Height);
        var polygon = MaskingPlan.For(new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 480], [1920, 480], [1920, 1080], [0, 1080]]] }, null, cache, Width, Height);
        var results = new List<(string Name, double First, double Fps)>();
        for (var run = 0; run < runs; run++)
        {
            foreach (var (name, plan) in new[] { ("polygon camera (lower 56 % obscured)", polygon), ("façade camera SKO-001-K01 (84 % obscured)", facade) })
            {
                var png = Path.Combine(work, $"obscure-{plan.Mask.Sha256[..12]}.png");
                await File.WriteAllBytesAsync(png, FeedMasks.ObscurePng(plan.Mask));
                // Seek 6 s in: into the second segment, between keyframes (decode from the one before, drop up to the point).
                var input = new MaskedPlaybackInput(list, 6.0, png, plan.Mask.Sha256, Width, Height, Pixelator.BlockSizeFor(Width));
                var (first, fps) = await PlayAsync([.. MaskedPlayback.InputAndEncode("bench", input), "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_every_frame", "pipe:1"]);
                Console.Error.WriteLine(FormattableString.Invariant($"playback {name}: first fragment {first:0.00} s, {fps:0.0} frames/s"));
                results.Add(($"masked playback, {name}", first, fps));
            }

            // The full façade plan on the same footage (what playback would need to run the person stage), next to the static mask alone.
            var staticPlan = new MaskingPlan(MaskingKind.PrivacyPolygons, facade.Mask, null, false, ObscureStyle.Pixelate, null);
            var masker = new VideoMasker(options: new VideoMaskerOptions { Preset = "ultrafast", Crf = 23 });
            foreach (var (name, plan) in new[] { ("VideoMasker, façade static mask only", staticPlan), ("VideoMasker, full façade plan (static mask + person stage)", facade) })
            {
                var watch = Stopwatch.StartNew();
                var result = await masker.MaskFileAsync(files[0], Path.Combine(work, "full.mp4"), _ => plan, CancellationToken.None, new VideoWindow(TimeSpan.Zero, TimeSpan.FromSeconds(4)));
                var fps = result.Frames / watch.Elapsed.TotalSeconds;
                Console.Error.WriteLine(FormattableString.Invariant($"{name}: {result.Frames} frames, {fps:0.0} frames/s, detector {result.DetectorTime.TotalMilliseconds / Math.Max(1, result.Frames):0.0} ms per frame"));
                results.Add((name, double.NaN, fps));
            }
        }

        Console.WriteLine($"| Masked playback, 1080p25 recorded fMP4, seek 6 s (median of {runs}) | time to first fragment (s) | frames/s after it (unpaced) | × real time |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => r.Name))
        {
            var first = Median(group.Select(r => r.First));
            var fps = Median(group.Select(r => r.Fps));
            Console.WriteLine(FormattableString.Invariant($"| {group.Key} | {(double.IsNaN(first) ? "—" : first.ToString("0.00", CultureInfo.InvariantCulture))} | {fps:0.0} | {fps / 25:0.00} |"));
        }

        Console.WriteLine("runs: " + string.Join("; ", results.Select(r => FormattableString.Invariant($"{r.Name}: {r.First:0.00} s {r.Fps:0.0} fps"))));
    }

    /// <summary>Runs one masked playback encode; returns the seconds to its first complete fragment and its frames per second.</summary>
    private static async Task<(double First, double Fps)> PlayAsync(string[] arguments)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        _ = process.StandardError.ReadToEndAsync();
        var stream = process.StandardOutput.BaseStream;
        var header = new byte[8];
        double first = double.NaN;
        var fragments = 0;
        while (await ReadExactlyAsync(stream, header))
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = System.Text.Encoding.ASCII.GetString(header, 4, 4);
            var body = new byte[size - 8];
            if (!await ReadExactlyAsync(stream, body))
            {
                break;
            }

            if (type == "mdat")
            {
                fragments++;
                first = double.IsNaN(first) ? watch.Elapsed.TotalSeconds : first;
            }
        }

        await process.WaitForExitAsync();
        // Frames per second once playing (after the first fragment), what a viewer's stream can sustain.
        return (first, (fragments - 1) / (watch.Elapsed.TotalSeconds - first));
    }

    private static async Task<bool> ReadExactlyAsync(Stream stream, byte[] buffer)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
