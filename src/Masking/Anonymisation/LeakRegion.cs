using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;
using OpenCvSharp;

namespace CameraHub.Masking.Anonymisation;

/// <summary>
/// Where a person whose feet stand beyond the keep distance can still show: the union of the image boxes of every
/// such person (2 m tall, from every possible foot pixel) whose box overlaps a kept pixel. Everywhere else the static
/// mask already decides, so the person stage looks only inside <see cref="Bounds"/>. Computed once per mask.
/// </summary>
public sealed class LeakRegion : IDisposable
{
    /// <summary>The height assumed for a tall person, in metres (a tall adult plus raised arms would be more; the box margin covers hair and arms).</summary>
    public const double PersonHeightMetres = 2.0;
    /// <summary>Box width as a fraction of its height: wider than a walking adult (≈0.4) so two people side by side and open arms fit.</summary>
    private const double WidthOfHeight = 0.6;
    // Foot pixels are sampled on this grid; a box is at least 8 px larger than the grid step on each side, so nothing between samples is missed.
    private const int Step = 4;

    private LeakRegion(Mat area, Rect bounds, int smallestPersonPixels, int pixels, int width, int height, IReadOnlyList<(Rect Crop, int SmallestPersonPixels)> bands)
    {
        Bands = bands;
        Area = area;
        Bounds = bounds;
        SmallestPersonPixels = smallestPersonPixels;
        Pixels = pixels;
        Width = width;
        Height = height;
    }

    /// <summary>CV_8UC1 of the picture's size, 255 inside the region.</summary>
    public Mat Area { get; }

    /// <summary>The bounding rectangle of the region: the crop the detector searches. Empty when no leak can happen.</summary>
    public Rect Bounds { get; }

    /// <summary>The image height, in pixels, of the smallest 2 m person whose box reaches the kept band: the detector's scale follows from it.</summary>
    public int SmallestPersonPixels { get; }

    /// <summary>
    /// The region split by person size: each band holds the boxes of people between one height and twice it (far
    /// people high in the picture, near ones low), so each can be searched at the one scale that suits its people.
    /// </summary>
    public IReadOnlyList<(Rect Crop, int SmallestPersonPixels)> Bands { get; }

    /// <summary>Pixels inside the region.</summary>
    public int Pixels { get; }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The region's share of the picture (0–1).</summary>
    public double Share => (double)Pixels / Width / Height;

    /// <summary>The crop's share of the picture (0–1): what the detector actually searches.</summary>
    public double BoundsShare => (double)Bounds.Width * Bounds.Height / Width / Height;

    /// <summary>Computes the region of <paramref name="mask"/> (the calibration's façade-distance mask) from the homography.</summary>
    public static LeakRegion Compute(ValidatedCalibration calibration, PrivacyMask mask)
    {
        var width = mask.Width;
        var height = mask.Height;
        var h = calibration.Homography;
        var zone = calibration.Zone;
        using var integral = new Mat();
        Cv2.Integral(mask.Keep, integral, MatType.CV_32S);
        var sums = new int[(width + 1) * (height + 1)];
        integral.GetArray(out sums);
        int KeptIn(int x0, int y0, int x1, int y1) =>
            // Integral of the 0/255 keep mask over [x0, x1) × [y0, y1).
            sums[(y1 * (width + 1)) + x1] - sums[(y0 * (width + 1)) + x1] - sums[(y1 * (width + 1)) + x0] + sums[(y0 * (width + 1)) + x0];

        var boxes = new List<(Rect Box, int Tall)>();
        var smallest = int.MaxValue;
        for (var y = Step / 2; y < height; y += Step)
        {
            for (var x = Step / 2; x < width; x += Step)
            {
                if (h.ToGround(x, y) is not { } g || zone.IsKept(g.X, g.Y) || zone.IsInsideBuilding(g.X, g.Y, 0))
                {
                    continue; // no ground, feet inside the band (may be shown), or feet the building hides
                }

                if (PersonPixelsAt(h, x, y) is not { } tall || tall < 8)
                {
                    continue; // smaller than one pixelation block's worth of person: nothing recognisable
                }

                var half = (int)Math.Ceiling(tall * WidthOfHeight / 2) + Step;
                var box = new Rect(x - half, y - tall - Step, 2 * half, tall + (2 * Step)).Intersect(new Rect(0, 0, width, height));
                if (box.Width <= 0 || box.Height <= 0 || KeptIn(box.X, box.Y, box.Right, box.Bottom) == 0)
                {
                    continue;
                }

                boxes.Add((box, tall));
                smallest = Math.Min(smallest, tall);
            }
        }

        var area = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
        foreach (var (b, _) in boxes)
        {
            Cv2.Rectangle(area, b, Scalar.All(255), -1);
        }

        var bands = boxes
            .GroupBy(b => (int)Math.Floor(Math.Log2((double)b.Tall / smallest)))
            .OrderBy(g => g.Key)
            .Select(g => (Crop: g.Select(b => b.Box).Aggregate((a, b) => a.Union(b)), SmallestPersonPixels: g.Min(b => b.Tall)))
            .ToList();
        var bounds = boxes.Count == 0 ? default : Cv2.BoundingRect(area);
        return new LeakRegion(area, bounds, boxes.Count == 0 ? 0 : smallest, Cv2.CountNonZero(area), width, height, bands);
    }

    /// <summary>
    /// The image height, in pixels, of a <see cref="PersonHeightMetres"/> person whose feet stand on pixel (x, y); null
    /// when the pixel shows no ground. A vertical line at the foot point is drawn at the same scale as a horizontal one
    /// there (same depth, square pixels); a camera tilted down draws it shorter still, so this overestimates: safe.
    /// </summary>
    public static int? PersonPixelsAt(GroundHomography homography, double x, double y)
    {
        if (homography.ToGround(x, y) is not { } g || homography.ToGround(x + 1, y) is not { } right)
        {
            return null;
        }

        var metresPerPixel = Math.Sqrt(((right.X - g.X) * (right.X - g.X)) + ((right.Y - g.Y) * (right.Y - g.Y)));
        return (int)Math.Min(int.MaxValue / 2, Math.Ceiling(PersonHeightMetres / Math.Max(metresPerPixel, 1e-9)));
    }

    public void Dispose() => Area.Dispose();
}
