using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;
using CameraHub.Tests.Shared;
using OpenCvSharp;

namespace CameraHub.Masking.Tests;

/// <summary>
/// The person stage's own pipeline stage: where it looks (the leak region of the calibration), how often (every n-th
/// frame, at once on a scene change, always on the last frame), what frames between detections get (both detections'
/// boxes, grown with the time to them), and that a failing detector obscures the whole leak region.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PersonScheduleTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ValidatedCalibration _calibration = CalibrationValidator.Validate(TestMedia.VtestCalibration());
    private readonly PrivacyMask _mask;

    public PersonScheduleTests() => _mask = FacadeDistanceMask.Build(_calibration);

    [Fact]
    public void The_leak_region_holds_the_people_beyond_the_line_over_the_band_and_leaves_out_the_far_side_of_the_picture()
    {
        using var region = LeakRegion.Compute(_calibration, _mask);

        // A's head (feet 4 m out) and B's torso (3.5 m) over the kept band, from PersonStageTests' hand labels.
        Assert.Equal(255, region.Area.At<byte>(205, 360));
        Assert.Equal(255, region.Area.At<byte>(210, 390));
        // The lawn in the foreground: any person there is obscured by the static mask from head to foot.
        Assert.Equal(0, region.Area.At<byte>(520, 100));
        Assert.InRange(region.Share, 0.05, 0.5);
        Assert.True(region.Bounds.Contains(region.Bands[0].Crop.TopLeft));
    }

    [Fact]
    public void Detects_every_nth_frame_at_once_on_a_scene_change_and_on_the_last_frame()
    {
        // The schedule alone: with the moving-foreground detector, still frames would have their detections skipped.
        using var stage = new PersonStage(_calibration, new PersonStageOptions { DetectionsPerSecond = 5, MovingForeground = false }, LeakRegion.Compute(_calibration, _mask));
        using var schedule = new PersonSchedule<int>(stage, framesPerSecond: 25);
        using var grey = new Mat(576, 768, MatType.CV_8UC1, Scalar.All(90));
        using var white = new Mat(576, 768, MatType.CV_8UC1, Scalar.All(250));
        var decided = new List<(int Frame, PersonVerdict Verdict)>();

        for (var i = 0; i < 12; i++)
        {
            decided.AddRange(schedule.Push(i, grey));
        }

        Assert.Equal(5, schedule.DetectEvery);
        Assert.Equal(3, schedule.Detections); // frames 0, 5 and 10
        decided.AddRange(schedule.Push(12, white)); // the lights come on: no waiting for frame 15
        Assert.Equal(4, schedule.Detections);
        Assert.Equal(1, schedule.SceneChanges);
        decided.AddRange(schedule.Push(13, white));
        decided.AddRange(schedule.Complete());

        Assert.Equal(5, schedule.Detections);
        Assert.Equal(Enumerable.Range(0, 14), decided.Select(d => d.Frame));
        Assert.Equal([0, 5, 10, 12, 13], decided.Where(d => d.Verdict.Detected).Select(d => d.Frame));
    }

    [Fact]
    public async Task Frames_between_two_detections_get_the_boxes_of_both_grown_with_the_time_to_them()
    {
        using var frame = await LumaAsync(100);
        using var stage = new PersonStage(_calibration, new PersonStageOptions { MaxScale = 1.5, MovingForeground = false }, LeakRegion.Compute(_calibration, _mask));
        using var schedule = new PersonSchedule<int>(stage, framesPerSecond: 25);
        var decided = Enumerable.Range(0, 6).SelectMany(i => schedule.Push(i, frame)).ToDictionary(d => d.Item, d => d.Verdict);

        var detected = decided[0].Obscure;
        Assert.NotEmpty(detected);
        // Frame 2 is 2/25 s after one detection and 3/25 s before the next: every box of either, grown, is obscured.
        var between = decided[2].Obscure;
        Assert.Equal(2 * detected.Count, between.Count);
        Assert.All(detected, d => Assert.Contains(between, b => b.Contains(d) && b.Width > d.Width));
    }

    [Fact]
    public async Task When_the_detector_fails_the_whole_leak_region_is_obscured_and_the_rest_of_the_band_is_not_lost()
    {
        using var region = LeakRegion.Compute(_calibration, _mask);
        // A detection width of zero makes OpenCV's resize fail (whole-frame mode): the stand-in for any detector failure.
        using var failing = new PersonStage(_calibration, new PersonStageOptions { LeakRegionOnly = false, DetectionWidth = 0 });
        using var schedule = new PersonSchedule<int>(failing, framesPerSecond: 25);
        using var luma = await LumaAsync(100);
        var verdicts = Enumerable.Range(0, 7).SelectMany(i => schedule.Push(i, luma)).ToList();
        verdicts.AddRange(schedule.Complete());
        Assert.Equal(7, verdicts.Count);
        Assert.All(verdicts, v => Assert.True(v.Verdict.WholeRegion));
        Assert.True(schedule.Failures >= 2);

        using var anonymiser = new FrameAnonymiser(_mask, new PersonStage(_calibration, null, LeakRegion.Compute(_calibration, _mask)), ObscureStyle.SolidFill);
        using var y = luma.Clone();
        using var u = new Mat(288, 384, MatType.CV_8UC1, Scalar.All(128));
        using var v = new Mat(288, 384, MatType.CV_8UC1, Scalar.All(128));
        var outcome = anonymiser.ApplyI420(y, u, v, verdicts[0].Verdict);

        Assert.True(outcome.ObscuredEntirely);
        using var notFilled = new Mat();
        Cv2.Compare(y, new Scalar(128), notFilled, CmpTypes.NE);
        using var keptInRegion = new Mat();
        Cv2.BitwiseAnd(_mask.Keep, region.Area, keptInRegion);
        using var shown = new Mat();
        Cv2.BitwiseAnd(keptInRegion, notFilled, shown);
        Assert.True(Cv2.CountNonZero(keptInRegion) > 1000);
        Assert.Equal(0, Cv2.CountNonZero(shown));
    }

    [Fact]
    public void Whatever_moves_with_its_feet_beyond_the_line_is_obscured_and_a_walker_inside_the_band_is_not()
    {
        // Two dark shapes walk sideways over a plain background, where HOG finds nobody: one shaped like A of
        // PersonStageTests (feet at row 272, 4 m out, head over the kept band), one like C (feet at row 215, inside the band).
        using var stage = new PersonStage(_calibration, null, LeakRegion.Compute(_calibration, _mask));
        using var schedule = new PersonSchedule<int>(stage, framesPerSecond: 25);
        var decided = new Dictionary<int, PersonVerdict>();
        var frames = new List<Mat>();
        Rect Beyond(int i) => new(410 - (8 * i), 200, 16, 72);
        Rect Inside(int i) => new(470 + (8 * i), 160, 15, 55);
        for (var i = 0; i < 30; i++)
        {
            var frame = new Mat(576, 768, MatType.CV_8UC1, Scalar.All(150));
            Cv2.Rectangle(frame, Beyond(i), Scalar.All(30), -1);
            Cv2.Rectangle(frame, Inside(i), Scalar.All(30), -1);
            frames.Add(frame);
            foreach (var (f, verdict) in schedule.Push(i, frame))
            {
                decided[f] = verdict;
            }
        }

        foreach (var (f, verdict) in schedule.Complete())
        {
            decided[f] = verdict;
        }

        Assert.True(schedule.WatchesMovement);
        // Once the background is learnt (a few frames), every frame obscures the walker beyond the line and keeps the other.
        foreach (var i in Enumerable.Range(10, 20))
        {
            Assert.True(decided[i].Obscure.Any(b => b.Contains(Beyond(i))), $"frame {i}: {Beyond(i)} not in {string.Join("; ", decided[i].Obscure)}");
            Assert.DoesNotContain(decided[i].Obscure, b => b.Contains(new Point(Inside(i).X + 7, Inside(i).Y + 27)));
        }

        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task While_nothing_moves_detections_are_skipped_and_their_boxes_carried_but_one_runs_every_second()
    {
        using var frame = await LumaAsync(100);
        using var stage = new PersonStage(_calibration, new PersonStageOptions { MaxScale = 1.5 }, LeakRegion.Compute(_calibration, _mask));
        using var schedule = new PersonSchedule<int>(stage, framesPerSecond: 25);
        var decided = Enumerable.Range(0, 101).SelectMany(i => schedule.Push(i, frame)).ToDictionary(d => d.Item, d => d.Verdict);

        // 101 still frames at 25 fps: 21 scheduled detections, of which at least one a second (at frames 0, 25, 50, 75, 100) runs.
        Assert.True(schedule.Skipped > 0, $"{schedule.Detections} detections, {schedule.Skipped} skipped");
        Assert.InRange(schedule.Detections, 5, 21 - schedule.Skipped);
        var found = stage.Detect(frame).Where(s => s.BeyondKeepDistance).Select(s => s.Box).ToList();
        Assert.NotEmpty(found);
        // The people found at the start are still obscured at the end, from carried boxes.
        Assert.All(found, f => Assert.True(decided[99].Obscure.Any(b => b.Contains(f)), $"{f} not in {string.Join("; ", decided[99].Obscure)}"));
    }

    private async Task<Mat> LumaAsync(int index)
    {
        var png = _folder.File($"frame{index}.png");
        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-i", TestMedia.Vtest(_folder), "-vf", $"select=eq(n\\,{index}),format=gray", "-frames:v", "1", png);
        return Cv2.ImRead(png, ImreadModes.Grayscale);
    }

    public void Dispose()
    {
        _mask.Dispose();
        _folder.Dispose();
    }
}
