using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;

namespace CameraHub.Masking.Anonymisation;

/// <summary>
/// Everything decided about a camera's masking before the first frame: which mask, whether people are detected,
/// whether audio may stay. Refuses (throws) on a bad calibration; obscures everything when a façade-distance
/// camera has no calibration at all.
/// </summary>
public sealed record MaskingPlan(
    MaskingKind Kind,
    PrivacyMask Mask,
    ValidatedCalibration? Calibration,
    bool AllowAudio,
    ObscureStyle Style,
    string? FailClosedReason)
{
    /// <summary>True when the person stage runs (façade-distance masking with a trusted calibration).</summary>
    public bool DetectsPeople => Kind == MaskingKind.FacadeDistance && Calibration is not null;

    /// <summary>Decides the plan for footage of <paramref name="width"/>×<paramref name="height"/>.</summary>
    /// <exception cref="CalibrationRejectedException">The calibration is bad or was made for a picture of other proportions.</exception>
    public static MaskingPlan For(MaskingProfile profile, CameraCalibration? calibration, MaskCache cache, int width, int height, ObscureStyle style = ObscureStyle.Pixelate)
    {
        switch (profile.Kind)
        {
            case MaskingKind.None:
                return new MaskingPlan(MaskingKind.None, cache.Uniform(true, width, height), null, profile.AllowAudio, style, null);
            case MaskingKind.PrivacyPolygons:
                var polygons = profile.Polygons.Select(p => (IReadOnlyList<double[]>)p).ToList();
                // Polygons are in the pixels of the picture they were drawn on: one reaching outside this picture was drawn
                // on a larger one, and would obscure too little here (fail closed rather than guess a scale).
                if (polygons.SelectMany(p => p).FirstOrDefault(pt => pt.Length >= 2 && (pt[0] < 0 || pt[1] < 0 || pt[0] > width || pt[1] > height)) is { } outside)
                {
                    throw new ArgumentException(FormattableString.Invariant(
                        $"the privacy polygon point ({outside[0]}, {outside[1]}) lies outside the {width}×{height} picture: the polygons were drawn on a picture of another size; redraw them on this stream's picture"),
                        nameof(profile));
                }

                return new MaskingPlan(MaskingKind.PrivacyPolygons, cache.Get(polygons, width, height), null, profile.AllowAudio, style, null);
            case MaskingKind.FacadeDistance when calibration is null:
                return new MaskingPlan(MaskingKind.FacadeDistance, cache.Uniform(false, width, height), null, profile.AllowAudio, style,
                    "the camera has no calibration, so every frame is obscured entirely");
            case MaskingKind.FacadeDistance:
                // The camera's legal basis sets the distance; a calibration may not widen it, only narrow it.
                if (profile.KeepDistanceMetres is { } allowed && allowed < calibration.KeepDistanceMetres)
                {
                    calibration = calibration with { KeepDistanceMetres = allowed };
                }

                if (calibration.ImageWidth != width || calibration.ImageHeight != height)
                {
                    // Another stream of the same picture (e.g. a 640×360 sub-stream of a 1920×1080 calibration) scales;
                    // a different crop or aspect ratio does not.
                    calibration = calibration.ScaledTo(width, height) ?? throw new CalibrationRejectedException(calibration.CameraId,
                        [$"The calibration was measured on {calibration.ImageWidth}×{calibration.ImageHeight} images but the footage is {width}×{height}, "
                            + "a different aspect ratio; recalibrate on this stream's picture."]);
                }

                var validated = CalibrationValidator.Validate(calibration);

                return new MaskingPlan(MaskingKind.FacadeDistance, cache.Get(validated), validated, profile.AllowAudio, style, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(profile), profile.Kind, "unknown masking kind");
        }
    }

    /// <summary>A frame anonymiser for this plan (one per video; not thread-safe).</summary>
    public FrameAnonymiser CreateAnonymiser(PersonStageOptions? people = null)
    {
        people ??= new PersonStageOptions();
        return new(Mask, DetectsPeople ? new PersonStage(Calibration!, people, people.LeakRegionOnly ? LeakRegion.Compute(Calibration!, Mask) : null) : null, Style);
    }
}
