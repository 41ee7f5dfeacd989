using CameraHub.Masking.Calibration;
using OpenCvSharp;

namespace CameraHub.Masking.Anonymisation;

/// <summary>A person found in a frame: the box (frame pixels), the foot point's ground position, and the verdict.</summary>
public sealed record PersonSighting(Rect Box, (double X, double Y)? FootOnGround, double? DistanceToFacadeMetres, bool BeyondKeepDistance);

/// <summary>Tuning of the person detector and of how often it runs.</summary>
public sealed record PersonStageOptions
{
    /// <summary>
    /// Whole-frame mode only (no leak region): frames are resized to this width before detection. OpenCV's HOG people
    /// detector finds people whose window is at least 128 px tall in the resized frame (the person itself about 96 px).
    /// </summary>
    public int DetectionWidth { get; init; } = 960;
    /// <summary>
    /// Leak-region mode: each band of the region is scaled down so that its smallest 2 m person is this many pixels tall
    /// (HOG's window holds a 96-px person, and a real person is shorter than 2 m), but never scaled up.
    /// </summary>
    public int SmallestPersonPixels { get; init; } = 112;
    /// <summary>Leak-region mode: the largest scale a band is searched at (1 = native resolution; more finds smaller people at a quadratic cost).</summary>
    public double MaxScale { get; init; } = 1.0;
    /// <summary>Pyramid step of the multi-scale search: 1.1 is about three times faster than OpenCV's 1.05 and found the same people on vtest.avi.</summary>
    public double PyramidScale { get; init; } = 1.1;
    /// <summary>
    /// HOG's SVM score threshold: below zero finds more people and more false ones, and a false one only obscures more.
    /// −0.5 lifted recall on the labelled set from 90.5 % to 92.1 % and cut the leak from 2.9 % to 1.3 % (precision 94 → 92 %).
    /// </summary>
    public double HitThreshold { get; init; } = -0.5;
    /// <summary>Fraction of the box added on every side before obscuring, so arms and hair are covered too.</summary>
    public double BoxMargin { get; init; } = 0.15;
    /// <summary>Detections per second of video (at least one: a person is never carried for more than a second).</summary>
    public double DetectionsPerSecond { get; init; } = 5;
    /// <summary>How fast a carried box grows between detections, in box heights per second (a brisk walk is ≈0.8).</summary>
    public double MarginGrowthPerSecond { get; init; } = 1.0;
    /// <summary>Search only the leak region the calibration gives (see <see cref="LeakRegion"/>); false searches whole frames as before.</summary>
    public bool LeakRegionOnly { get; init; } = true;
    /// <summary>Mean grey-level change of the leak region since the last detection that counts as a scene change and forces a detection.</summary>
    public double SceneChangeLevel { get; init; } = 12;
    /// <summary>
    /// Leak-region mode: also obscure whatever moves in the region with its feet beyond the keep distance
    /// (<see cref="MovingForeground"/>, every frame), and skip a detection when nothing moved since the last one.
    /// </summary>
    public bool MovingForeground { get; init; } = true;
    /// <summary>The background subtractor works on a copy of the region scaled so its smallest person is this tall (a walking 2 m person's legs stay a few pixels wide).</summary>
    public int ForegroundPersonPixels { get; init; } = 24;
    /// <summary>The most pixels the background subtractor works on per frame (the region's crop is scaled down to fit).</summary>
    public int ForegroundMaximumPixels { get; init; } = 25_000;
    /// <summary>Moving blobs smaller than this, in the subtractor's downscaled pixels, are noise.</summary>
    public int ForegroundMinimumPixels { get; init; } = 12;
    /// <summary>
    /// OpenCV's worker threads (process-wide; 0 leaves OpenCV's default). One: the detector runs on its own pipeline stage
    /// beside the masking stage and x264's threads, and a parallel HOG on a shared two-core machine only adds contention.
    /// </summary>
    public int OpenCvThreads { get; init; } = 1;
}

/// <summary>
/// Closes the ground-plane mask's leak: finds people with OpenCV's built-in HOG people detector (no model download),
/// maps each foot point through the homography and marks the whole person for obscuring when the feet stand
/// beyond the keep distance, or above the horizon where no ground point exists. With a <see cref="LeakRegion"/> it
/// searches only that region's crop, at the scale the calibration gives for the smallest person who can leak.
/// </summary>
public sealed class PersonStage : IDisposable
{
    /// <summary>Which detector runs, for manifests and logs.</summary>
    public const string DetectorName = "OpenCV HOG people detector (Dalal–Triggs, built-in SVM)";
    // The detector was trained on 64×128 windows with a 96-px person centred in it: the feet are 1/8 above the bottom.
    private const double FootOffsetFraction = 1.0 / 8;
    /// <summary>
    /// How far inside the line a foot point may be and still count as beyond. Zero: 0.25 m closed one more leaked
    /// person-frame on the labelled set but obscured people walking inside the band near the line (PersonStageTests' D).
    /// </summary>
    public const double FootToleranceMetres = 0.0;
    private readonly ValidatedCalibration _calibration;
    private readonly PersonStageOptions _options;
    private readonly LeakRegion? _region;
    private readonly HOGDescriptor _hog = new();
    private readonly Mat _scaled = new();

    /// <summary>A stage for <paramref name="calibration"/>; takes ownership of <paramref name="region"/> (null: search whole frames).</summary>
    public PersonStage(ValidatedCalibration calibration, PersonStageOptions? options = null, LeakRegion? region = null)
    {
        _calibration = calibration;
        _options = options ?? new PersonStageOptions();
        _region = region;
        _hog.SetSVMDetector(HOGDescriptor.GetDefaultPeopleDetector());
    }

    /// <summary>The moving-foreground detector for one video, or null when the stage searches whole frames or it is switched off.</summary>
    public MovingForeground? CreateForeground() =>
        _region is { Bounds.Width: > 0 } && _options.MovingForeground ? new MovingForeground(_calibration, _region, _options) : null;

    public PersonStageOptions Options => _options;

    /// <summary>The region searched, or null when the whole frame is.</summary>
    public LeakRegion? Region => _region;

    /// <summary>Finds people in a BGR or single-channel (luma) frame; throws when the detector fails (the caller then obscures more).</summary>
    public IReadOnlyList<PersonSighting> Detect(Mat frame)
    {
        var found = new List<Rect>();
        if (_region is null)
        {
            Search(frame, new Rect(0, 0, frame.Width, frame.Height), (double)_options.DetectionWidth / frame.Width, found);
        }
        else
        {
            foreach (var (crop, smallest) in _region.Bands)
            {
                // Each band at the scale where its smallest person fills HOG's window, never above native resolution:
                // a person too small for the window at native size (under ≈96 px tall) has a face under ≈8 px across,
                // which nobody recognises (see docs/design/masking.md, block size).
                Search(frame, crop, Math.Min(_options.MaxScale, (double)_options.SmallestPersonPixels / smallest), found);
            }
        }

        var bounds = new Rect(0, 0, frame.Width, frame.Height);
        var sightings = new List<PersonSighting>(found.Count);
        foreach (var box in found)
        {
            var footX = box.X + (box.Width / 2.0);
            var footY = box.Bottom - (box.Height * FootOffsetFraction);
            var ground = _calibration.Homography.ToGround(footX, footY);
            double? distance = ground is { } g ? _calibration.Zone.DistanceToFacade(g.X, g.Y) : null;
            // The person fills the middle half of the window's width: a foot at either side of it beyond the line counts.
            var beyond = AnyFootBeyond(_calibration, box.X + (box.Width / 4.0), box.Right - (box.Width / 4.0), footY);
            sightings.Add(new PersonSighting(Grow(box, _options.BoxMargin, bounds), ground, distance, beyond));
        }

        return sightings;
    }

    private void Search(Mat frame, Rect area, double scale, List<Rect> found)
    {
        using var crop = frame[area];
        Mat input = crop;
        if (Math.Abs(scale - 1.0) > 1e-6)
        {
            Cv2.Resize(crop, _scaled, new Size(0, 0), scale, scale, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
            input = _scaled;
        }

        if (input.Width < 64 || input.Height < 128)
        {
            return;
        }

        foreach (var b in _hog.DetectMultiScale(input, _options.HitThreshold, new Size(8, 8), new Size(8, 8), _options.PyramidScale, 2))
        {
            var box = new Rect(area.X + (int)(b.X / scale), area.Y + (int)(b.Y / scale), (int)Math.Ceiling(b.Width / scale), (int)Math.Ceiling(b.Height / scale));
            // Bands overlap: the same person found in two of them is one person.
            if (!found.Any(f => Overlap(f, box) > 0.5))
            {
                found.Add(box);
            }
        }
    }

    /// <summary>
    /// Whether a person standing on the row <paramref name="footY"/> between <paramref name="left"/> and <paramref name="right"/>
    /// has a foot beyond the keep distance (or above the horizon): the left end, the middle and the right end are judged
    /// and any one beyond decides, and a foot within <see cref="FootToleranceMetres"/> of the line counts as beyond — a foot
    /// point estimated from a box is off by a few pixels, and a person astride the line is better obscured than shown.
    /// </summary>
    public static bool AnyFootBeyond(ValidatedCalibration calibration, double left, double right, double footY)
    {
        var limit = calibration.Calibration.KeepDistanceMetres - FootToleranceMetres;
        foreach (var x in new[] { (left + right) / 2, left, right })
        {
            if (calibration.Homography.ToGround(x, footY) is not { } p || !calibration.Zone.IsKept(p.X, p.Y) || calibration.Zone.DistanceToFacade(p.X, p.Y) > limit)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Intersection over union of two boxes.</summary>
    public static double Overlap(Rect a, Rect b)
    {
        var i = a.Intersect(b);
        if (i.Width <= 0 || i.Height <= 0)
        {
            return 0;
        }

        var inter = (double)i.Width * i.Height;
        return inter / (((double)a.Width * a.Height) + ((double)b.Width * b.Height) - inter);
    }

    /// <summary><paramref name="box"/> grown by <paramref name="fraction"/> of its size on every side, clipped to <paramref name="bounds"/>.</summary>
    public static Rect Grow(Rect box, double fraction, Rect bounds)
    {
        var mx = (int)Math.Ceiling(box.Width * fraction);
        var my = (int)Math.Ceiling(box.Height * fraction);
        return new Rect(box.X - mx, box.Y - my, box.Width + (2 * mx), box.Height + (2 * my)).Intersect(bounds);
    }

    public void Dispose()
    {
        _hog.Dispose();
        _scaled.Dispose();
        _region?.Dispose();
    }
}
