using System.Diagnostics;
using System.Globalization;
using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;
using OpenCvSharp;

namespace CameraHub.Masking.Tests.Evaluation;

/// <summary>One labelled box of the evaluation set (see README.md beside this file), in the evaluated picture's pixels.</summary>
internal sealed record Label(int Frame, bool Person, Rect Box, Point Foot);

/// <summary>Recall, precision and the privacy figure of one detector on the labelled set.</summary>
internal sealed record Figures(string Name, int People, int Found, int Detections, int FalseDetections, int BeyondPersonFrames, int Leaked, double DetectorMsPerFrame)
{
    /// <summary>Each leaked person-frame: frame, box, foot, visible pixels.</summary>
    public IReadOnlyList<string> Leaks { get; init; } = [];

    /// <summary>Share of the kept band's pixels obscured outside anyone standing beyond the line (0–1), over all labelled frames.</summary>
    public double OverMasked { get; init; }

    /// <summary>Share of the kept band's pixels obscured on labelled frames with nobody (labelled or ignored) beyond the line (0–1).</summary>
    public double ObscuredWhenNobodyBeyond { get; init; }

    /// <summary>Labelled frames with nobody beyond the line.</summary>
    public int FramesNobodyBeyond { get; init; }

    public double Recall => (double)Found / People;
    public double Precision => Detections == 0 ? 1 : 1 - ((double)FalseDetections / Detections);
    public double LeakShare => BeyondPersonFrames == 0 ? 0 : (double)Leaked / BeyondPersonFrames;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: recall {100 * Recall:0.0} % ({Found}/{People} people beyond the line over the kept band, IoU ≥ 0.5), precision {100 * Precision:0.0} % ({Detections - FalseDetections}/{Detections}), "
        + $"leak {100 * LeakShare:0.0} % ({Leaked}/{BeyondPersonFrames} person-frames beyond the keep distance keep a visible pixel), "
        + $"kept band obscured outside people beyond the line {100 * OverMasked:0.0} %{Nobody}, detector {DetectorMsPerFrame:0.0} ms per frame");

    private string Nobody => FramesNobodyBeyond == 0 ? "" : FormattableString.Invariant($", on the {FramesNobodyBeyond} frames with nobody beyond it {100 * ObscuredWhenNobodyBeyond:0.0} %");
}

/// <summary>
/// The evaluation: vtest.avi upscaled to 1440×1080 (as a 1080-line camera would see the square), its school calibration
/// scaled with it, the labels scaled likewise. Runs today's HOG (whole frame at 960 px, every frame) and the person
/// stage (leak-region bands at native resolution, every n-th frame with carried boxes) once for all tests.
/// </summary>
public sealed class LabelledPeople : IDisposable
{
    public const int Width = 1440;
    public const int Height = 1080;
    private const double Scale = 1440.0 / 768;
    private readonly TempFolder _folder = new();

    public LabelledPeople()
    {
        Calibration = CalibrationValidator.Validate(TestMedia.VtestCalibration().ScaledTo(Width, Height)!);
        Mask = FacadeDistanceMask.Build(Calibration);
        Labels = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Evaluation", "vtest-people.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(f => new Label(
                int.Parse(f[0], CultureInfo.InvariantCulture), f[1] == "person",
                new Rect((int)(int.Parse(f[2], CultureInfo.InvariantCulture) * Scale), (int)(int.Parse(f[3], CultureInfo.InvariantCulture) * Scale),
                    (int)Math.Ceiling(int.Parse(f[4], CultureInfo.InvariantCulture) * Scale), (int)Math.Ceiling(int.Parse(f[5], CultureInfo.InvariantCulture) * Scale)),
                new Point((int)(int.Parse(f[6], CultureInfo.InvariantCulture) * Scale), (int)(int.Parse(f[7], CultureInfo.InvariantCulture) * Scale))))
            .ToList();
        var frames = Labels.Select(l => l.Frame).ToHashSet();
        Region = LeakRegion.Compute(Calibration, Mask);

        var today = new Dictionary<int, IReadOnlyList<Rect>>();
        var hogStage = new Dictionary<int, PersonVerdict>();
        var stage = new Dictionary<int, PersonVerdict>();
        var detections = new Dictionary<int, IReadOnlyList<Rect>>();
        var withMovement = new Dictionary<int, IReadOnlyList<Rect>>();
        using var hog = new PersonStage(Calibration, new PersonStageOptions { LeakRegionOnly = false, HitThreshold = 0 });
        using var hogOnly = new PersonStage(Calibration, new PersonStageOptions { MovingForeground = false }, LeakRegion.Compute(Calibration, Mask));
        using var ours = new PersonStage(Calibration, new PersonStageOptions(), LeakRegion.Compute(Calibration, Mask));
        using var hogSchedule = new PersonSchedule<int>(hogOnly, 10);
        using var schedule = new PersonSchedule<int>(ours, 10);
        // The same subtractor the stage runs, beside it, to score its blobs as detections.
        using var foreground = ours.CreateForeground()!;
        var todayTime = TimeSpan.Zero;
        var held = new Dictionary<int, (Mat Luma, int Users)>();
        foreach (var (index, luma) in Decode())
        {
            foreground.Next(luma);
            if (frames.Contains(index))
            {
                var started = Stopwatch.GetTimestamp();
                var sightings = hog.Detect(luma);
                todayTime += Stopwatch.GetElapsedTime(started);
                today[index] = sightings.Where(s => s.BeyondKeepDistance).Select(s => s.Box).ToList();
                TodayAll[index] = sightings.Select(s => PersonIn(s.Box)).ToList();
                detections[index] = ours.Detect(luma).Select(s => PersonIn(s.Box)).ToList();
                // A blob is the moving person itself (no window margin); one HOG already found is the same person.
                withMovement[index] = [.. detections[index], .. foreground.Blobs.Where(b => !detections[index].Any(d => PersonStage.Overlap(d, b) >= 0.3))];
            }

            held[index] = (luma, 2);
            Release(hogSchedule.Push(index, luma), hogStage);
            Release(schedule.Push(index, luma), stage);
        }

        Release(hogSchedule.Complete(), hogStage);
        Release(schedule.Complete(), stage);

        void Release(IReadOnlyList<(int Item, PersonVerdict Verdict)> decided, Dictionary<int, PersonVerdict> into)
        {
            foreach (var (i, verdict) in decided)
            {
                into[i] = verdict;
                var (mat, users) = held[i];
                if (users == 1)
                {
                    held.Remove(i);
                    mat.Dispose();
                }
                else
                {
                    held[i] = (mat, users - 1);
                }
            }
        }

        Detections = detections;
        DetectionsWithMovement = withMovement;
        TodayBeyond = today;
        HogVerdicts = hogStage;
        Verdicts = stage;
        TodayMsPerFrame = todayTime.TotalMilliseconds / frames.Count;
        HogStageMsPerFrame = hogSchedule.DetectorTime.TotalMilliseconds / hogStage.Count;
        StageMsPerFrame = (schedule.DetectorTime + schedule.ForegroundTime).TotalMilliseconds / stage.Count;
        ForegroundMsPerFrame = schedule.ForegroundTime.TotalMilliseconds / stage.Count;
        StageDetections = schedule.Detections;
        StageSkipped = schedule.Skipped;
        DetectEvery = schedule.DetectEvery;
    }

    internal ValidatedCalibration Calibration { get; }
    internal PrivacyMask Mask { get; }
    internal LeakRegion Region { get; }
    internal IReadOnlyList<Label> Labels { get; }
    internal Dictionary<int, IReadOnlyList<Rect>> TodayAll { get; } = [];
    internal IReadOnlyDictionary<int, IReadOnlyList<Rect>> TodayBeyond { get; }
    internal IReadOnlyDictionary<int, IReadOnlyList<Rect>> Detections { get; }
    internal IReadOnlyDictionary<int, IReadOnlyList<Rect>> DetectionsWithMovement { get; }
    internal IReadOnlyDictionary<int, PersonVerdict> HogVerdicts { get; }
    internal IReadOnlyDictionary<int, PersonVerdict> Verdicts { get; }
    internal double TodayMsPerFrame { get; }
    internal double HogStageMsPerFrame { get; }
    internal double StageMsPerFrame { get; }
    internal double ForegroundMsPerFrame { get; }
    internal int StageDetections { get; }
    internal int StageSkipped { get; }
    internal int DetectEvery { get; }

    /// <summary>Today's HOG: every frame, whole frame at 960 px, people beyond the line obscured.</summary>
    internal Figures Today() => Score("HOG today (whole frame at 960 px, every frame)", TodayAll,
        f => new PersonVerdict(TodayBeyond[f], false, true, 0, 0), TodayMsPerFrame);

    /// <summary>The person stage with HOG alone (before the moving-foreground detector): leak-region bands, every n-th frame, carried boxes.</summary>
    internal Figures HogStage() => Score($"person stage, HOG alone (leak-region bands, every {DetectEvery}. frame, carried boxes)", Detections, f => HogVerdicts[f], HogStageMsPerFrame);

    /// <summary>The person stage: HOG as above plus the moving foreground on every frame, detections skipped when nothing moved.</summary>
    internal Figures Stage() => Score($"person stage, HOG + moving foreground (every frame; {StageDetections} detections, {StageSkipped} skipped as nothing moved)", DetectionsWithMovement, f => Verdicts[f], StageMsPerFrame);

    private Figures Score(string name, IReadOnlyDictionary<int, IReadOnlyList<Rect>> found, Func<int, PersonVerdict> verdictOf, double ms)
    {
        int people = 0, matched = 0, detections = 0, falseOnes = 0, beyond = 0, leaked = 0, nobodyFrames = 0;
        long keptTotal = 0, overMasked = 0, keptNobody = 0, obscuredNobody = 0;
        var leaks = new List<string>();
        var keptPixels = Cv2.CountNonZero(Mask.Keep);
        foreach (var frame in Labels.GroupBy(l => l.Frame))
        {
            var persons = frame.Where(l => l.Person).ToList();
            // The people the stage is for: feet beyond the keep distance, body over the kept band.
            var inRegion = persons.Where(l => Beyond(l) && OverKeptBand(l.Box)).ToList();
            var boxes = found[frame.Key].Where(InRegion).ToList();
            var used = new HashSet<Rect>();
            foreach (var label in inRegion)
            {
                var hit = boxes.Where(b => !used.Contains(b)).Select(b => (Box: b, Iou: PersonStage.Overlap(b, label.Box))).OrderByDescending(x => x.Iou).FirstOrDefault();
                if (hit.Iou >= 0.5)
                {
                    used.Add(hit.Box);
                    matched++;
                }
            }

            people += inRegion.Count;
            detections += boxes.Count;
            // A detection on an unlabelled moving blob (a group, a half-hidden person) is neither right nor wrong.
            falseOnes += boxes.Count(b => !used.Contains(b) && !frame.Any(l => Covers(l.Box, b)));

            var verdict = verdictOf(frame.Key);
            foreach (var label in persons.Where(Beyond))
            {
                beyond++;
                if (Visible(label.Box, verdict) is var shown and > 0)
                {
                    leaked++;
                    var best = found[frame.Key].Select(b => PersonStage.Overlap(b, label.Box)).DefaultIfEmpty(0).Max();
                    leaks.Add(string.Create(CultureInfo.InvariantCulture,
                        $"frame {frame.Key}: box {label.Box.X},{label.Box.Y} {label.Box.Width}×{label.Box.Height}, foot {label.Foot.X},{label.Foot.Y}, {shown} px visible, best detection IoU {best:0.00}{(verdict.Detected ? ", a detection frame" : "")}"));
                }
            }

            // Over-masking: kept pixels obscured where nobody beyond the line stands (labelled or ignored, with the 15 % margin).
            var beyondBoxes = frame.Where(Beyond).Select(l => PersonStage.Grow(l.Box, 0.15, new Rect(0, 0, Width, Height))).ToList();
            var obscured = ObscuredKept(verdict, beyondBoxes);
            keptTotal += keptPixels;
            overMasked += obscured;
            if (beyondBoxes.Count == 0)
            {
                nobodyFrames++;
                keptNobody += keptPixels;
                obscuredNobody += obscured;
            }
        }

        return new Figures(name, people, matched, detections, falseOnes, beyond, leaked, ms)
        {
            Leaks = leaks,
            OverMasked = (double)overMasked / keptTotal,
            ObscuredWhenNobodyBeyond = keptNobody == 0 ? 0 : (double)obscuredNobody / keptNobody,
            FramesNobodyBeyond = nobodyFrames,
        };
    }

    /// <summary>Kept pixels the verdict obscures outside <paramref name="allowed"/>.</summary>
    private long ObscuredKept(PersonVerdict verdict, IReadOnlyList<Rect> allowed)
    {
        using var obscured = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0));
        if (verdict.WholeRegion)
        {
            Region.Area.CopyTo(obscured);
        }

        foreach (var b in verdict.Obscure)
        {
            Cv2.Rectangle(obscured, b, Scalar.All(255), -1);
        }

        foreach (var b in allowed)
        {
            Cv2.Rectangle(obscured, b, Scalar.All(0), -1);
        }

        Cv2.BitwiseAnd(obscured, Mask.Keep, obscured);
        return Cv2.CountNonZero(obscured);
    }

    /// <summary>How many pixels of the person's box (its outer 5 % excepted: the labels are a little loose) stay unobscured.</summary>
    private int Visible(Rect box, PersonVerdict verdict)
    {
        if (verdict.WholeRegion)
        {
            return 0;
        }

        var inner = new Rect(box.X + (box.Width / 20), box.Y + (box.Height / 20), box.Width * 9 / 10, box.Height * 9 / 10)
            .Intersect(new Rect(0, 0, Width, Height));
        using var shown = Mask.Keep[inner].Clone();
        foreach (var b in verdict.Obscure)
        {
            var o = b.Intersect(inner);
            if (o.Width > 0 && o.Height > 0)
            {
                Cv2.Rectangle(shown, new Rect(o.X - inner.X, o.Y - inner.Y, o.Width, o.Height), Scalar.All(0), -1);
            }
        }

        return Cv2.CountNonZero(shown);
    }

    private bool Beyond(Label label)
    {
        var g = Calibration.Homography.ToGround(label.Foot.X, label.Foot.Y);
        return g is not { } p || !Calibration.Zone.IsKept(p.X, p.Y);
    }

    private bool OverKeptBand(Rect box)
    {
        using var kept = Mask.Keep[box.Intersect(new Rect(0, 0, Width, Height))];
        return Cv2.CountNonZero(kept) > 0;
    }

    private bool InRegion(Rect box) => Region.Area.At<byte>(Math.Clamp(box.Y + (box.Height / 2), 0, Height - 1), Math.Clamp(box.X + (box.Width / 2), 0, Width - 1)) != 0;

    /// <summary>
    /// The person a sighting's box stands for: the stage grows the detector's box by its margin (15 % a side), and HOG's
    /// 64×128 window holds a 96-px person in its middle half of the width. Labels are tight around the person.
    /// </summary>
    private static Rect PersonIn(Rect sighting)
    {
        var margin = new PersonStageOptions().BoxMargin;
        var w = sighting.Width / (1 + (2 * margin));
        var h = sighting.Height / (1 + (2 * margin));
        var cx = sighting.X + (sighting.Width / 2.0);
        var cy = sighting.Y + (sighting.Height / 2.0);
        return new Rect((int)(cx - (w / 4)), (int)(cy - (h * 3 / 8)), (int)(w / 2), (int)(h * 3 / 4));
    }

    private static bool Covers(Rect label, Rect detection)
    {
        var i = label.Intersect(detection);
        return i.Width > 0 && i.Height > 0 && (double)i.Width * i.Height >= 0.5 * detection.Width * detection.Height;
    }

    private IEnumerable<(int Index, Mat Luma)> Decode()
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-v", "error", "-i", TestMedia.Vtest(_folder), "-vf", $"scale={Width}:{Height}:flags=bicubic", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1" })
        {
            info.ArgumentList.Add(a);
        }

        using var ffmpeg = Process.Start(info)!;
        var stream = ffmpeg.StandardOutput.BaseStream;
        for (var index = 0; ; index++)
        {
            var bytes = new byte[Width * Height];
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
            {
                break;
            }

            var mat = new Mat(Height, Width, MatType.CV_8UC1);
            mat.SetArray(bytes);
            yield return (index, mat);
        }

        ffmpeg.WaitForExit();
    }

    public void Dispose()
    {
        Region.Dispose();
        Mask.Dispose();
        _folder.Dispose();
    }
}
