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
        using var stage = new PersonStage(_calibration, new PersonStageOptions { DetectionsPerSecond = 5 }, LeakRegion.Compute(_calibration, _mask));
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
        using var stage = new PersonStage(_calibration, new PersonStageOptions { MaxScale = 1.5 }, LeakRegion.Compute(_calibration, _mask));
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
