using CameraHub.Masking.Calibration;
using OpenCvSharp;

namespace CameraHub.Masking.Anonymisation;

/// <summary>A person found in a frame: the box (frame pixels), the foot point's ground position, and the verdict.</summary>
public sealed record PersonSighting(Rect Box, (double X, double Y)? FootOnGround, double? DistanceToFacadeMetres, bool BeyondKeepDistance);

/// <summary>Tuning of the person detector.</summary>
public sealed record PersonStageOptions
{
    /// <summary>
    /// Frames are resized by this factor before detection. OpenCV's HOG people detector finds people at least 128 px
    /// tall in the resized frame, so 1.5 finds people from about 85 px tall; smaller is faster.
    /// </summary>
    public double DetectionScale { get; init; } = 1.0;
    /// <summary>Pyramid step of the multi-scale search; 1.05 is OpenCV's default, larger is faster and coarser.</summary>
    public double PyramidScale { get; init; } = 1.05;
    /// <summary>Fraction of the box added on every side before obscuring, so arms and hair are covered too.</summary>
    public double BoxMargin { get; init; } = 0.15;
}

/// <summary>
/// Closes the ground-plane mask's leak: finds people with OpenCV's built-in HOG people detector (no model download),
/// maps each foot point through the homography and marks the whole person for obscuring when the feet stand
/// beyond the keep distance, or above the horizon where no ground point exists.
/// </summary>
public sealed class PersonStage : IDisposable
{
    // The detector's 64×128 window leaves about 1/16 of its height below the feet.
    private const double FootOffsetFraction = 1.0 / 16;
    private readonly ValidatedCalibration _calibration;
    private readonly PersonStageOptions _options;
    private readonly HOGDescriptor _hog = new();
    private readonly Mat _scaled = new();

    public PersonStage(ValidatedCalibration calibration, PersonStageOptions? options = null)
    {
        _calibration = calibration;
        _options = options ?? new PersonStageOptions();
        _hog.SetSVMDetector(HOGDescriptor.GetDefaultPeopleDetector());
    }

    /// <summary>Finds people in a BGR frame; throws when the detector fails (the caller then obscures the whole frame).</summary>
    public IReadOnlyList<PersonSighting> Detect(Mat frame)
    {
        var scale = _options.DetectionScale;
        Mat input = frame;
        if (Math.Abs(scale - 1.0) > 1e-6)
        {
            Cv2.Resize(frame, _scaled, new Size(0, 0), scale, scale, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
            input = _scaled;
        }

        var boxes = _hog.DetectMultiScale(input, 0, new Size(8, 8), new Size(8, 8), _options.PyramidScale, 2);
        var bounds = new Rect(0, 0, frame.Width, frame.Height);
        var sightings = new List<PersonSighting>(boxes.Length);
        foreach (var b in boxes)
        {
            var box = new Rect((int)(b.X / scale), (int)(b.Y / scale), (int)Math.Ceiling(b.Width / scale), (int)Math.Ceiling(b.Height / scale));
            var footX = box.X + (box.Width / 2.0);
            var footY = box.Bottom - (box.Height * FootOffsetFraction);
            var ground = _calibration.Homography.ToGround(footX, footY);
            double? distance = ground is { } g ? _calibration.Zone.DistanceToFacade(g.X, g.Y) : null;
            var beyond = ground is not { } p || !_calibration.Zone.IsKept(p.X, p.Y);
            var mx = (int)Math.Ceiling(box.Width * _options.BoxMargin);
            var my = (int)Math.Ceiling(box.Height * _options.BoxMargin);
            var grown = new Rect(box.X - mx, box.Y - my, box.Width + (2 * mx), box.Height + (2 * my)).Intersect(bounds);
            sightings.Add(new PersonSighting(grown, ground, distance, beyond));
        }

        return sightings;
    }

    public void Dispose()
    {
        _hog.Dispose();
        _scaled.Dispose();
    }
}
