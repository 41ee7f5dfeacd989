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

    public FrameAnonymiser(PrivacyMask mask, PersonStage? people, ObscureStyle style)
    {
        _mask = mask;
        _people = people;
        _pixelator = new Pixelator(mask.Width, mask.Height, style);
        _chromaPixelator = new Pixelator(_pixelator, subsampling: 2);
        _all = new Mat(mask.Height, mask.Width, MatType.CV_8UC1, Scalar.All(255));
        _allChroma = new Mat(mask.ObscureChroma.Size(), MatType.CV_8UC1, Scalar.All(255));
    }

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
    public FrameOutcome ApplyI420(Mat y, Mat u, Mat v)
    {
        if (y.Width != _mask.Width || y.Height != _mask.Height || u.Size() != _mask.ObscureChroma.Size() || v.Size() != u.Size())
        {
            throw new ArgumentException($"planes are {y.Width}×{y.Height} / {u.Width}×{u.Height}, the mask is {_mask.Width}×{_mask.Height}", nameof(y));
        }

        var (outcome, luma, chroma) = Decide(y, withChroma: true);
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

        var beyond = sightings.Where(s => s.BeyondKeepDistance).ToList();
        var outcome = new FrameOutcome(beyond.Count, sightings.Count - beyond.Count, false);
        if (beyond.Count == 0)
        {
            return (outcome, _mask.Obscure, _mask.ObscureChroma);
        }

        _mask.Obscure.CopyTo(_perFrame);
        foreach (var person in beyond)
        {
            Cv2.Rectangle(_perFrame, person.Box, Scalar.All(255), -1);
        }

        if (!withChroma)
        {
            return (outcome, _perFrame, null);
        }

        _mask.ObscureChroma.CopyTo(_perFrameChroma);
        foreach (var person in beyond)
        {
            var b = person.Box;
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
        _people?.Dispose();
    }
}
