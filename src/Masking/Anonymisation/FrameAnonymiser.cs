using CameraHub.Masking.Masks;
using OpenCvSharp;

namespace CameraHub.Masking.Anonymisation;

/// <summary>What happened to one frame.</summary>
public readonly record struct FrameOutcome(int PeopleObscured, int PeopleKept, bool ObscuredEntirely);

/// <summary>
/// Masks frames in place: the static privacy mask, then (for façade-distance profiles) every person whose feet
/// stand beyond the keep distance. When the person stage fails on a frame the whole frame is obscured.
/// </summary>
public sealed class FrameAnonymiser : IDisposable
{
    private readonly PrivacyMask _mask;
    private readonly PersonStage? _people;
    private readonly Pixelator _pixelator;
    private readonly Mat _perFrame = new();
    private readonly Mat _all;

    public FrameAnonymiser(PrivacyMask mask, PersonStage? people, ObscureStyle style)
    {
        _mask = mask;
        _people = people;
        _pixelator = new Pixelator(mask.Width, mask.Height, style);
        _all = new Mat(mask.Height, mask.Width, MatType.CV_8UC1, Scalar.All(255));
    }

    public int BlockSize => _pixelator.BlockSize;

    /// <summary>Masks a BGR frame of the mask's size in place.</summary>
    public FrameOutcome Apply(Mat frame)
    {
        if (frame.Width != _mask.Width || frame.Height != _mask.Height || frame.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"frame is {frame.Width}×{frame.Height} {frame.Type()}, the mask is {_mask.Width}×{_mask.Height} BGR", nameof(frame));
        }

        if (_people is null)
        {
            _pixelator.Apply(frame, _mask.Obscure);
            return new FrameOutcome(0, 0, false);
        }

        IReadOnlyList<PersonSighting> sightings;
        try
        {
            sightings = _people.Detect(frame);
        }
        catch (OpenCVException)
        {
            // Fail closed: without a verdict on the people in this frame, nobody in it may be shown.
            _pixelator.Apply(frame, _all);
            return new FrameOutcome(0, 0, true);
        }

        var beyond = sightings.Where(s => s.BeyondKeepDistance).ToList();
        if (beyond.Count == 0)
        {
            _pixelator.Apply(frame, _mask.Obscure);
            return new FrameOutcome(0, sightings.Count, false);
        }

        _mask.Obscure.CopyTo(_perFrame);
        foreach (var person in beyond)
        {
            Cv2.Rectangle(_perFrame, person.Box, Scalar.All(255), -1);
        }

        _pixelator.Apply(frame, _perFrame);
        return new FrameOutcome(beyond.Count, sightings.Count - beyond.Count, false);
    }

    /// <summary>Obscures a whole frame (used when a frame cannot be trusted at all).</summary>
    public void ObscureAll(Mat frame) => _pixelator.Apply(frame, _all);

    public void Dispose()
    {
        _pixelator.Dispose();
        _perFrame.Dispose();
        _all.Dispose();
        _people?.Dispose();
    }
}
