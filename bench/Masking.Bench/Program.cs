// Masking throughput: a 60-second 1080p25 H.264 clip end to end (decode → mask → encode) through CameraHub's
// VideoMasker, next to plain ffmpeg applying the same static mask with its own filters. Prints a Markdown table
// of medians over N runs. Usage: dotnet run -c Release --project bench/Masking.Bench -- [playback] [runs] [x264 preset] [workdir]
// (with `playback` first: masked playback, see Playback.cs).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Files;
using CameraHub.Masking.Masks;

var playback = args is ["playback", ..];
args = playback ? args[1..] : args;
if (args is ["label", var labelsCsv, ..])
{
    await Labelling.RunAsync(labelsCsv, args.Length > 2 ? args[2] : null);
    return;
}

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var preset = args.Length > 1 ? args[1] : "veryfast";
var work = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "camerahub-masking-bench");
Directory.CreateDirectory(work);
var repo = FindRepo();
const int Crf = 20;

// 1. The clip: OpenCV's street scene (real pedestrians) looped and upscaled to 60 s of 1080p25 H.264.
var clip = Path.Combine(work, "street-1080p25-60s.mp4");
if (!File.Exists(clip))
{
    await Run("ffmpeg", "-v", "error", "-stream_loop", "-1", "-i", "/usr/share/doc/opencv-doc/examples/data/vtest.avi",
        "-t", "60", "-vf", "scale=1920:1080:flags=bicubic,fps=25", "-c:v", "libx264", "-preset", "medium", "-g", "50",
        "-pix_fmt", "yuv420p", "-an", clip);
}

if (playback)
{
    // Masked playback and the full plan for playback (bench/masked-paths.sh): `playback [runs] [preset] [workdir]`.
    await PlaybackBench.RunAsync(runs, work, clip, repo, Run);
    return;
}

// 2. The mask: the sample school camera SKO-001-K01 (1920×1080), as our pipeline and as a PNG for ffmpeg.
var calibration = JsonSerializer.Deserialize<CameraCalibration>(
    File.ReadAllText(Path.Combine(repo, "samples", "goteborg", "calibrations", "SKO-001-K01.json")), JsonSerializerOptions.Web)!;
using var cache = new MaskCache();
var validated = CalibrationValidator.Validate(calibration);
var mask = cache.Get(validated);
var maskPng = Path.Combine(work, "mask.png");
File.WriteAllBytes(maskPng, mask.ToPng());
var block = Pixelator.BlockSizeFor(1920);
var columns = (1920 + block - 1) / block;
var rows = (1080 + block - 1) / block;

// The static mask alone (what ffmpeg can do too): a plan holding the façade mask, person stage off.
var staticPlan = new MaskingPlan(MaskingKind.PrivacyPolygons, mask, null, false, ObscureStyle.Pixelate, null);
// The full façade-distance plan, person stage included.
var facadePlan = MaskingPlan.For(new MaskingProfile { Kind = MaskingKind.FacadeDistance }, calibration, cache, 1920, 1080);
var masker = new VideoMasker(options: new VideoMaskerOptions { Preset = preset, Crf = Crf });

// The leak region (where the person stage looks) of each sample school calibration.
foreach (var file in Directory.EnumerateFiles(Path.Combine(repo, "samples", "goteborg", "calibrations"), "*.json").Order())
{
    var sample = CalibrationValidator.Validate(JsonSerializer.Deserialize<CameraCalibration>(File.ReadAllText(file), JsonSerializerOptions.Web)!);
    var sampleMask = cache.Get(sample);
    var started = Stopwatch.GetTimestamp();
    using var region = LeakRegion.Compute(sample, sampleMask);
    Console.Error.WriteLine(FormattableString.Invariant(
        $"{Path.GetFileNameWithoutExtension(file)}: kept {100.0 * sampleMask.KeptPixels / sampleMask.Width / sampleMask.Height:0.0} %, leak region {100 * region.Share:0.0} %, searched crop {region.Bounds} = {100 * region.BoundsShare:0.0} %, smallest person {region.SmallestPersonPixels} px, computed in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms"));
}

var results = new List<(string Name, string Clip, double Fps, double PeakMiB)>();
for (var i = 0; i < runs; i++)
{
    results.Add(await Measure("ffmpeg alone, same static mask (baseline)", clip, includeSelf: false, () => Run("ffmpeg", BaselineArgs(clip, Path.Combine(work, "baseline.mp4")))));
    results.Add(await Measure("CameraHub VideoMasker, static mask", clip, includeSelf: true, () => masker.MaskFileAsync(clip, Path.Combine(work, "ours.mp4"), _ => staticPlan, CancellationToken.None)));
    results.Add(await Measure("CameraHub VideoMasker, façade mask + person stage", clip, includeSelf: true, async () =>
    {
        var r = await masker.MaskFileAsync(clip, Path.Combine(work, "ours-people.mp4"), _ => facadePlan, CancellationToken.None);
        Console.Error.WriteLine(FormattableString.Invariant(
            $"  person stage: {r.Detections} detections on {r.Frames} frames, detector {r.DetectorTime.TotalSeconds:0.0} s = {r.DetectorTime.TotalMilliseconds / r.Frames:0.0} ms per frame ({r.DetectorTime.TotalMilliseconds / Math.Max(1, r.Detections):0.0} ms per detection), moving-foreground detector {r.ForegroundTime.TotalMilliseconds / r.Frames:0.0} ms per frame, {r.DetectionsSkipped} detections skipped (nothing moved), person stage {(r.DetectorTime + r.ForegroundTime).TotalMilliseconds / r.Frames:0.0} ms per frame in all, {r.PeopleObscured} person-boxes obscured, {r.FramesObscuredEntirely} frames fail-closed"));
    }));
}

Console.WriteLine($"{runs} runs each; {Environment.ProcessorCount} cores; libx264 -preset {preset} -crf {Crf}; block {block} px");
Console.WriteLine();
Console.WriteLine("| Pipeline | Clip | Median fps | × real time (25 fps) | Median peak RSS (MiB) |");
Console.WriteLine("|---|---|---:|---:|---:|");
foreach (var group in results.GroupBy(r => r.Name))
{
    var fps = Median(group.Select(r => r.Fps));
    Console.WriteLine($"| {group.Key} | {Path.GetFileName(group.First().Clip)} | {fps:0.0} | {fps / 25:0.00} | {Median(group.Select(r => r.PeakMiB)):0} |");
}

string[] BaselineArgs(string input, string output) =>
[
    "-v", "error", "-y", "-i", input, "-loop", "1", "-framerate", "25", "-i", maskPng,
    "-filter_complex",
    // Pixelate: area-average down to one pixel per block, nearest-neighbour back up; then let the inverted mask
    // (white = obscure) be the alpha of the pixelated picture over the original.
    $"[0:v]split[orig][px];[px]scale={columns}:{rows}:flags=area,scale=1920:1080:flags=neighbor[blocks];" +
    "[1:v]format=gray,negate[alpha];[blocks][alpha]alphamerge[masked];[orig][masked]overlay=shortest=1:format=yuv420[out]",
    "-map", "[out]", "-an", "-c:v", "libx264", "-preset", preset, "-crf", Crf.ToString(CultureInfo.InvariantCulture),
    "-pix_fmt", "yuv420p", output,
];

static async Task<(string, string, double, double)> Measure(string name, string input, bool includeSelf, Func<Task> run)
{
    var frames = int.Parse((await Capture("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", input)).Trim(), CultureInfo.InvariantCulture);
    using var sampler = new RssSampler(includeSelf);
    var watch = Stopwatch.StartNew();
    await run();
    watch.Stop();
    var fps = frames / watch.Elapsed.TotalSeconds;
    Console.Error.WriteLine($"{name}: {frames} frames in {watch.Elapsed.TotalSeconds:0.0} s = {fps:0.0} fps, peak {sampler.PeakMiB:0} MiB");
    return (name, input, fps, sampler.PeakMiB);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static async Task Run(string tool, params string[] arguments) => await Capture(tool, arguments);

static async Task<string> Capture(string tool, params string[] arguments)
{
    var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments)
    {
        info.ArgumentList.Add(a);
    }

    using var process = Process.Start(info)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{tool} failed: {await stderr}");
    }

    return await stdout;
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "CameraHub.sln")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("CameraHub.sln not found above the benchmark binaries");
}

/// <summary>Samples the resident memory of this process's descendants (the ffmpeg children), and of itself when asked, every 50 ms.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly Timer _timer;
    private readonly bool _includeSelf;
    private long _peakKiB;

    public RssSampler(bool includeSelf)
    {
        _includeSelf = includeSelf;
        _timer = new Timer(_ => Sample(), null, 0, 50);
    }

    public double PeakMiB => Interlocked.Read(ref _peakKiB) / 1024.0;

    private void Sample()
    {
        var self = Environment.ProcessId;
        var parents = new Dictionary<int, int>();
        var rss = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                foreach (var line in File.ReadLines(Path.Combine(dir, "status")))
                {
                    if (line.StartsWith("PPid:", StringComparison.Ordinal))
                    {
                        parents[pid] = int.Parse(line[5..].Trim(), CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        rss[pid] = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // the process ended while we looked
            }
        }

        long total = 0;
        foreach (var (pid, kib) in rss)
        {
            if (pid == self && !_includeSelf)
            {
                continue;
            }

            for (var p = pid; p > 1 && parents.TryGetValue(p, out var parent); p = parent)
            {
                if (p == self)
                {
                    total += kib;
                    break;
                }
            }
        }

        long current;
        do
        {
            current = Interlocked.Read(ref _peakKiB);
        }
        while (total > current && Interlocked.CompareExchange(ref _peakKiB, total, current) != current);
    }

    public void Dispose() => _timer.Dispose();
}
