using CameraHub.Masking.Calibration;
using OpenCvSharp;

namespace CameraHub.Masking.Anonymisation;

/// <summary>
/// The person stage's second detector, for fixed cameras: whatever moves in the leak region. OpenCV's MOG2 background
/// subtractor runs on every frame over a downscaled copy of the region's crop; each moving blob whose bottom (its feet)
/// maps beyond the keep distance — or above the horizon — is obscured like a detected person, as tall as a 2 m person
/// standing there at least, since often only part of a body moves. A blob is only ever obscured, never kept: it adds to
/// what HOG finds and can only mask more. Not thread-safe: one instance per video, fed every frame in order.
/// </summary>
public sealed class MovingForeground : IDisposable
{
    private readonly ValidatedCalibration _calibration;
    private readonly PersonStageOptions _options;
    private readonly Rect _crop;
    private readonly double _scale;
    private readonly Size _small;
    private readonly BackgroundSubtractorMOG2 _subtractor;
    private readonly Mat _scaled = new();
    private readonly Mat _foreground = new();
    private readonly Mat _labels = new();
    private readonly Mat _stats = new();
    private readonly Mat _centroids = new();
    private readonly Mat _kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(3, 3));
    private int _seen;

    /// <summary>Watches <paramref name="region"/>'s crop, downscaled so its smallest person is <see cref="PersonStageOptions.ForegroundPersonPixels"/> tall.</summary>
    public MovingForeground(ValidatedCalibration calibration, LeakRegion region, PersonStageOptions options)
    {
        _calibration = calibration;
        _options = options;
        var bounds = region.Bounds;
        // Small enough for the smallest person to be ForegroundPersonPixels tall, and the whole crop at most
        // ForegroundMaximumPixels: the subtractor looks at every frame, so its cost must stay a fraction of the encoder's.
        var scale = Math.Min(1, Math.Min(
            (double)options.ForegroundPersonPixels / Math.Max(1, region.SmallestPersonPixels),
            Math.Sqrt((double)options.ForegroundMaximumPixels / Math.Max(1.0, (double)bounds.Width * bounds.Height))));
        // A whole-number factor, and a crop grown to whole cells of it within the picture: OpenCV's area resize is many
        // times faster at an integer factor (the same reason frames are padded to whole blocks before pixelation).
        var k = Math.Max(1, (int)Math.Ceiling(1 / scale));
        var w = Math.Min(region.Width - bounds.X, ((bounds.Width + k - 1) / k) * k) / k * k;
        var h = Math.Min(region.Height - bounds.Y, ((bounds.Height + k - 1) / k) * k) / k * k;
        _crop = new Rect(bounds.X, bounds.Y, Math.Max(k, w), Math.Max(k, h)).Intersect(new Rect(0, 0, region.Width, region.Height));
        _scale = 1.0 / k;
        _small = new Size(Math.Max(1, _crop.Width / k), Math.Max(1, _crop.Height / k));
        // Shadows are told apart (marked 127) so a person's shadow does not move their foot point; 5 s of history at 10–25 fps.
        _subtractor = BackgroundSubtractorMOG2.Create(history: 125, varThreshold: 25, detectShadows: true);
    }

    /// <summary>Downscaled size the subtractor works at (for reports).</summary>
    public Size WorkingSize => _small;

    /// <summary>Whether anything moved in the region on the last frame (kept side included).</summary>
    public bool Moved { get; private set; }

    /// <summary>The last frame's moving blobs as found (frame pixels, before growing; kept side included), for evaluation.</summary>
    public IReadOnlyList<Rect> Blobs { get; private set; } = [];

    /// <summary>Updates the background with <paramref name="luma"/> and returns the boxes (frame pixels) of moving blobs whose feet stand beyond the keep distance.</summary>
    public IReadOnlyList<Rect> Next(Mat luma)
    {
        Moved = false;
        Blobs = [];
        if (_crop.Width <= 0 || _crop.Height <= 0)
        {
            return [];
        }

        using (var crop = luma[_crop])
        {
            Cv2.Resize(crop, _scaled, _small, 0, 0, InterpolationFlags.Area);
        }

        _subtractor.Apply(_scaled, _foreground);
        if (++_seen == 1)
        {
            // The first frame only starts the background model (MOG2 calls all of it moving): HOG decides it alone.
            Moved = true;
            return [];
        }

        // 255 = moving, 127 = shadow, 0 = background; one dilation joins a person's limbs into one blob (and only grows it).
        Cv2.Threshold(_foreground, _foreground, 200, 255, ThresholdTypes.Binary);
        Cv2.MedianBlur(_foreground, _foreground, 3);
        Cv2.Dilate(_foreground, _foreground, _kernel, iterations: 2);
        var count = Cv2.ConnectedComponentsWithStats(_foreground, _labels, _stats, _centroids);
        var boxes = new List<Rect>();
        var blobs = new List<Rect>();
        Blobs = blobs;
        var bounds = new Rect(0, 0, luma.Width, luma.Height);
        for (var i = 1; i < count; i++)
        {
            if (_stats.At<int>(i, (int)ConnectedComponentsTypes.Area) < _options.ForegroundMinimumPixels)
            {
                continue; // noise: a few flickering pixels (leaves, compression), not a body part
            }

            Moved = true;
            var x = _crop.X + (_stats.At<int>(i, (int)ConnectedComponentsTypes.Left) / _scale);
            var y = _crop.Y + (_stats.At<int>(i, (int)ConnectedComponentsTypes.Top) / _scale);
            var w = _stats.At<int>(i, (int)ConnectedComponentsTypes.Width) / _scale;
            var h = _stats.At<int>(i, (int)ConnectedComponentsTypes.Height) / _scale;
            blobs.Add(new Rect((int)x, (int)y, (int)Math.Ceiling(w), (int)Math.Ceiling(h)));
            var footX = x + (w / 2);
            var footY = y + h;
            if (!PersonStage.AnyFootBeyond(_calibration, x, x + w, footY))
            {
                continue; // feet inside the band: that person may be shown
            }

            // At least a whole 2 m person standing on the blob's foot point: a moving arm or pair of legs is a whole body.
            var tall = LeakRegion.PersonPixelsAt(_calibration.Homography, footX, footY) ?? h;
            var personWidth = Math.Max(w, tall * 0.5);
            var top = Math.Min(y, footY - tall);
            var box = new Rect((int)Math.Floor(footX - (personWidth / 2)), (int)Math.Floor(top), (int)Math.Ceiling(personWidth), (int)Math.Ceiling(footY - top));
            boxes.Add(PersonStage.Grow(box, _options.BoxMargin, bounds));
        }

        return boxes;
    }

    public void Dispose()
    {
        _subtractor.Dispose();
        _scaled.Dispose();
        _foreground.Dispose();
        _labels.Dispose();
        _stats.Dispose();
        _centroids.Dispose();
        _kernel.Dispose();
    }
}
