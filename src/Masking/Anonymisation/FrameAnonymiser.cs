using CameraHub.Masking.Masks;
using OpenCvSharp;

namespace CameraHub.Masking.Anonymisation;

/// <summary>What happened to one frame.</summary>
public readonly record struct FrameOutcome(int PeopleObscured, int PeopleKept, bool ObscuredEntirely);

/// <summary>
/// Masks frames in place: the static privacy mask, then (for façade-distance profiles) every person whose feet
/// stand beyond the keep distance. When the person stage fails on a frame the whole frame is obscured.
/// Works on BGR frames and on planar 4:2:0 frames (Y, U, V planes) as ffmpeg decodes them.
/// </summary>
public sealed class FrameAnonymiser : IDisposable
{
    private readonly PrivacyMask _mask;
    private readonly PersonStage? _people;
    private readonly Pixelator _pixelator;
    private readonly Pixelator _chromaPixelator;
    private readonly Mat _perFrame = new();
    private readonly Mat _perFrameChroma = new();
    private readonly Mat _all;
    private readonly Mat _allChroma;
    private readonly (Mat Luma, Mat Chroma)? _failed;

    public FrameAnonymiser(PrivacyMask mask, PersonStage? people, ObscureStyle style)
    {
        _mask = mask;
        _people = people;
        _pixelator = new Pixelator(mask.Width, mask.Height, style);
        _chromaPixelator = new Pixelator(_pixelator, subsampling: 2);
        _all = new Mat(mask.Height, mask.Width, MatType.CV_8UC1, Scalar.All(255));
        _allChroma = new Mat(mask.ObscureChroma.Size(), MatType.CV_8UC1, Scalar.All(255));
        if (people?.Region is { } region)
        {
            var luma = new Mat();
            Cv2.BitwiseOr(mask.Obscure, region.Area, luma);
            var chroma = new Mat();
            Cv2.Resize(region.Area, chroma, mask.ObscureChroma.Size(), 0, 0, InterpolationFlags.Area);
            // A chroma sample any of whose pixels lies in the region is obscured with it.
            Cv2.Threshold(chroma, chroma, 0, 255, ThresholdTypes.Binary);
            Cv2.BitwiseOr(chroma, mask.ObscureChroma, chroma);
            _failed = (luma, chroma);
        }
    }

    /// <summary>The person stage this anonymiser detects with, if any.</summary>
    public PersonStage? People => _people;

    public int BlockSize => _pixelator.BlockSize;

    /// <summary>Masks a BGR frame of the mask's size in place.</summary>
    public FrameOutcome Apply(Mat frame)
    {
        if (frame.Width != _mask.Width || frame.Height != _mask.Height || frame.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"frame is {frame.Width}×{frame.Height} {frame.Type()}, the mask is {_mask.Width}×{_mask.Height} BGR", nameof(frame));
        }

        var (outcome, luma, _) = Decide(frame, withChroma: false);
        _pixelator.Apply(frame, luma);
        return outcome;
    }

    /// <summary>
    /// Masks a planar 4:2:0 frame in place. Kept luma is bit-identical; a chroma sample shared with an obscured pixel is
    /// obscured too (see <see cref="PrivacyMask.ObscureChroma"/>). People are detected on the luma plane.
    /// </summary>
    public FrameOutcome ApplyI420(Mat y, Mat u, Mat v) => ApplyPlanes(y, u, v, () => Decide(y, withChroma: true));

    /// <summary>
    /// Masks a planar 4:2:0 frame in place with a verdict the person stage reached on its own pipeline stage
    /// (<see cref="PersonSchedule{T}"/>) instead of detecting here.
    /// </summary>
    public FrameOutcome ApplyI420(Mat y, Mat u, Mat v, PersonVerdict verdict) => ApplyPlanes(y, u, v, () => Masks(verdict, withChroma: true));

    private FrameOutcome ApplyPlanes(Mat y, Mat u, Mat v, Func<(FrameOutcome Outcome, Mat Luma, Mat? Chroma)> decide)
    {
        if (y.Width != _mask.Width || y.Height != _mask.Height || u.Size() != _mask.ObscureChroma.Size() || v.Size() != u.Size())
        {
            throw new ArgumentException($"planes are {y.Width}×{y.Height} / {u.Width}×{u.Height}, the mask is {_mask.Width}×{_mask.Height}", nameof(y));
        }

        var (outcome, luma, chroma) = decide();
        _pixelator.Apply(y, luma);
        _chromaPixelator.Apply(u, chroma!);
        _chromaPixelator.Apply(v, chroma!);
        return outcome;
    }

    private (FrameOutcome Outcome, Mat Luma, Mat? Chroma) Decide(Mat image, bool withChroma)
    {
        if (_people is null)
        {
            return (new FrameOutcome(0, 0, false), _mask.Obscure, _mask.ObscureChroma);
        }

        IReadOnlyList<PersonSighting> sightings;
        try
        {
            sightings = _people.Detect(image);
        }
        catch (Exception e) when (e is OpenCVException or OpenCvSharpException)
        {
            // Fail closed: without a verdict on the people in this frame, nobody in it may be shown.
            return (new FrameOutcome(0, 0, true), _all, _allChroma);
        }

        var beyond = sightings.Where(s => s.BeyondKeepDistance).Select(s => s.Box).ToList();
        return Masks(new PersonVerdict(beyond, false, true, beyond.Count, sightings.Count - beyond.Count), withChroma);
    }

    private (FrameOutcome Outcome, Mat Luma, Mat? Chroma) Masks(PersonVerdict verdict, bool withChroma)
    {
        if (verdict.WholeRegion)
        {
            // Fail closed: the static mask plus everything a person beyond the line could cover (the whole frame
            // when the stage searches whole frames).
            return _failed is null
                ? (new FrameOutcome(0, 0, true), _all, _allChroma)
                : (new FrameOutcome(0, 0, true), _failed.Value.Luma, _failed.Value.Chroma);
        }

        var outcome = new FrameOutcome(verdict.PeopleObscured, verdict.PeopleKept, false);
        if (verdict.Obscure.Count == 0)
        {
            return (outcome, _mask.Obscure, _mask.ObscureChroma);
        }

        _mask.Obscure.CopyTo(_perFrame);
        foreach (var box in verdict.Obscure)
        {
            Cv2.Rectangle(_perFrame, box, Scalar.All(255), -1);
        }

        if (!withChroma)
        {
            return (outcome, _perFrame, null);
        }

        _mask.ObscureChroma.CopyTo(_perFrameChroma);
        foreach (var b in verdict.Obscure)
        {
            var half = new Rect(b.X / 2, b.Y / 2, ((b.Right + 1) / 2) - (b.X / 2), ((b.Bottom + 1) / 2) - (b.Y / 2));
            Cv2.Rectangle(_perFrameChroma, half, Scalar.All(255), -1);
        }

        return (outcome, _perFrame, _perFrameChroma);
    }

    /// <summary>Obscures a whole BGR frame (used when a frame cannot be trusted at all).</summary>
    public void ObscureAll(Mat frame) => _pixelator.Apply(frame, _all);

    public void Dispose()
    {
        _pixelator.Dispose();
        _chromaPixelator.Dispose();
        _perFrame.Dispose();
        _perFrameChroma.Dispose();
        _all.Dispose();
        _allChroma.Dispose();
        _failed?.Luma.Dispose();
        _failed?.Chroma.Dispose();
        _people?.Dispose();
    }
}
