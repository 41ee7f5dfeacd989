using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;
using CameraHub.Tests.Shared;
using OpenCvSharp;

namespace CameraHub.Masking.Tests;

/// <summary>
/// The leak on real footage: frame 100 of vtest.avi with a façade 17.5 m out. People were located by hand:
/// A (dark coat, feet at row 272, 4 m from the façade) and B (jeans, feet at row 253, 3.5 m) stand beyond 2 m but
/// their upper bodies fall over the kept band (rows 192–228); C (red jacket) and D walk inside the band.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PersonStageTests : IDisposable
{
    private static readonly Rect HeadOfA = new(354, 200, 16, 12);
    private static readonly Rect TorsoOfB = new(383, 195, 17, 30);
    private static readonly Rect LegsOfC = new(500, 195, 15, 20);
    private static readonly Rect CoatOfD = new(522, 195, 18, 20);
    private static readonly PersonStageOptions Detector = new() { DetectionWidth = 1152, PyramidScale = 1.1 };
    private readonly TempFolder _folder = new();
    private readonly ValidatedCalibration _calibration = CalibrationValidator.Validate(TestMedia.VtestCalibration());
    private readonly PrivacyMask _mask;

    public PersonStageTests() => _mask = FacadeDistanceMask.Build(_calibration);

    [Fact]
    public async Task Without_the_person_stage_the_ground_mask_leaks_people_standing_beyond_the_line()
    {
        using var original = await FrameAsync(100);
        using var frame = original.Clone();
        using var anonymiser = new FrameAnonymiser(_mask, people: null, ObscureStyle.Pixelate);

        anonymiser.Apply(frame);

        Assert.Equal(0, Changed(original, frame, HeadOfA));
        Assert.Equal(0, Changed(original, frame, TorsoOfB));
    }

    [Fact]
    public async Task People_whose_feet_are_beyond_the_line_are_obscured_where_they_overlap_the_kept_band_and_people_within_it_stay_visible()
    {
        using var original = await FrameAsync(100);
        using var frame = original.Clone();
        using var anonymiser = new FrameAnonymiser(_mask, new PersonStage(_calibration, Detector), ObscureStyle.Pixelate);

        var outcome = anonymiser.Apply(frame);

        Assert.False(outcome.ObscuredEntirely);
        Assert.True(outcome.PeopleObscured >= 2, $"{outcome.PeopleObscured} people obscured");
        Assert.True(Changed(original, frame, HeadOfA) > 0.9, "A's head is still visible");
        Assert.True(Changed(original, frame, TorsoOfB) > 0.9, "B's torso is still visible");
        Assert.Equal(0, Changed(original, frame, LegsOfC));
        Assert.Equal(0, Changed(original, frame, CoatOfD));
    }

    [Fact]
    public async Task Feet_mapped_through_the_homography_give_distances_that_match_the_hand_measured_people()
    {
        using var frame = await FrameAsync(100);
        using var stage = new PersonStage(_calibration, Detector);

        var sightings = stage.Detect(frame);

        // C's feet were measured by hand at 1.45 m from the façade, A's at 4.0 m.
        Assert.Contains(sightings, s => s.Box.Contains(new Point(507, 190)) && !s.BeyondKeepDistance && s.DistanceToFacadeMetres is > 1.0 and < 2.0);
        Assert.Contains(sightings, s => s.Box.Contains(new Point(362, 250)) && s.BeyondKeepDistance && s.DistanceToFacadeMetres is > 3.5 and < 4.5);
    }

    [Fact]
    public void A_frame_the_detector_cannot_read_is_obscured_entirely()
    {
        using var original = new Mat(576, 768, MatType.CV_8UC3, Scalar.All(40));
        Cv2.Randu(original, Scalar.All(0), Scalar.All(255));
        using var frame = original.Clone();
        // A detection width of zero makes OpenCV's resize fail: the stand-in for any detector failure.
        using var anonymiser = new FrameAnonymiser(_mask, new PersonStage(_calibration, Detector with { DetectionWidth = 0 }), ObscureStyle.Pixelate);

        var outcome = anonymiser.Apply(frame);

        Assert.True(outcome.ObscuredEntirely);
        Assert.True(Changed(original, frame, new Rect(0, 0, 768, 576)) > 0.99);
    }

    private async Task<Mat> FrameAsync(int index)
    {
        var png = _folder.File($"frame{index}.png");
        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-i", TestMedia.Vtest(_folder), "-vf", $"select=eq(n\\,{index})", "-frames:v", "1", png);
        return Cv2.ImRead(png);
    }

    /// <summary>The fraction of pixels in <paramref name="region"/> whose value changed.</summary>
    private static double Changed(Mat before, Mat after, Rect region)
    {
        using var a = before[region];
        using var b = after[region];
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        using var grey = diff.CvtColor(ColorConversionCodes.BGR2GRAY);
        return (double)Cv2.CountNonZero(grey) / region.Width / region.Height;
    }

    public void Dispose()
    {
        _mask.Dispose();
        _folder.Dispose();
    }
}
