using OpenCvSharp;

namespace CameraHub.Masking.Calibration;

/// <summary>
/// The plane-to-plane mapping between image pixels and metres on the ground, fitted with OpenCV.
/// Pixels whose ray does not meet the ground in front of the camera (at or above the horizon) have no ground point.
/// </summary>
public sealed class GroundHomography
{
    // Ground points closer than this (in homogeneous scale) to the horizon line are treated as infinitely far.
    private const double HorizonEpsilon = 1e-9;
    private readonly double[] _imageToGround;
    private readonly double[] _groundToImage;

    private GroundHomography(double[] imageToGround, double[] groundToImage)
    {
        _imageToGround = imageToGround;
        _groundToImage = groundToImage;
    }

    /// <summary>Row-major 3×3 matrix from image pixels to ground metres, scaled so that visible ground has w &gt; 0.</summary>
    public IReadOnlyList<double> ImageToGroundMatrix => _imageToGround;

    /// <summary>
    /// Fits ground→image (so RANSAC's threshold is in pixels), RANSAC when more than four pairs.
    /// Returns null when OpenCV finds no homography; <paramref name="inliers"/> marks the pairs the fit agrees with.
    /// </summary>
    public static GroundHomography? Fit(IReadOnlyList<CalibrationPoint> points, double ransacThresholdPixels, out bool[] inliers)
    {
        var ground = points.Select(p => new Point2d(p.GroundX, p.GroundY)).ToArray();
        var image = points.Select(p => new Point2d(p.ImageX, p.ImageY)).ToArray();
        inliers = new bool[points.Count];
        using var mask = new Mat();
        using var src = InputArray.Create(ground);
        using var dst = InputArray.Create(image);
        var method = points.Count > 4 ? HomographyMethods.Ransac : HomographyMethods.None;
        using var h = Cv2.FindHomography(src, dst, method, ransacThresholdPixels, mask);
        if (h.Empty() || h.Rows != 3 || h.Cols != 3)
        {
            return null;
        }

        var g2i = new double[9];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                g2i[(r * 3) + c] = h.At<double>(r, c);
            }
        }

        for (var i = 0; i < points.Count; i++)
        {
            inliers[i] = mask.Empty() || mask.At<byte>(i) != 0;
        }

        using var inverse = h.Inv().ToMat();
        var i2g = new double[9];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                i2g[(r * 3) + c] = inverse.At<double>(r, c);
            }
        }

        if (i2g.Any(v => !double.IsFinite(v)) || g2i.Any(v => !double.IsFinite(v)))
        {
            return null;
        }

        // A homography is defined up to scale, including sign. Choose the sign that puts the calibration
        // points (which the camera sees) at w > 0, so "w <= 0" reliably means "behind the camera or above the horizon".
        var positive = points.Count(p => W(i2g, p.ImageX, p.ImageY) > 0);
        if (positive * 2 < points.Count)
        {
            for (var k = 0; k < 9; k++)
            {
                i2g[k] = -i2g[k];
            }
        }

        return new GroundHomography(i2g, g2i);
    }

    /// <summary>The homogeneous scale of an image pixel's ground point; positive in front of the camera, below the horizon.</summary>
    public double HomogeneousScale(double x, double y) => W(_imageToGround, x, y);

    /// <summary>The ground point (metres) an image pixel shows, or null at and above the horizon.</summary>
    public (double X, double Y)? ToGround(double x, double y)
    {
        var m = _imageToGround;
        var w = (m[6] * x) + (m[7] * y) + m[8];
        if (w <= HorizonEpsilon * Scale)
        {
            return null;
        }

        return (((m[0] * x) + (m[1] * y) + m[2]) / w, ((m[3] * x) + (m[4] * y) + m[5]) / w);
    }

    /// <summary>Where a ground point appears in the image (pixels).</summary>
    public (double X, double Y) ToImage(double groundX, double groundY)
    {
        var m = _groundToImage;
        var w = (m[6] * groundX) + (m[7] * groundY) + m[8];
        return (((m[0] * groundX) + (m[1] * groundY) + m[2]) / w, ((m[3] * groundX) + (m[4] * groundY) + m[5]) / w);
    }

    /// <summary>The pixel distance between a pair's image point and where the homography puts its ground point.</summary>
    public double ReprojectionError(CalibrationPoint p)
    {
        var (x, y) = ToImage(p.GroundX, p.GroundY);
        return Math.Sqrt(((x - p.ImageX) * (x - p.ImageX)) + ((y - p.ImageY) * (y - p.ImageY)));
    }

    /// <summary>Ratio of smallest to largest singular value: near zero when the mapping collapses the plane onto a line.</summary>
    public double Conditioning()
    {
        using var m = Mat.FromPixelData(3, 3, MatType.CV_64FC1, _groundToImage);
        using var w = new Mat();
        using var u = new Mat();
        using var vt = new Mat();
        Cv2.SVDecomp(m, w, u, vt);
        return w.At<double>(2) / w.At<double>(0);
    }

    private double Scale => Math.Abs(_imageToGround[6]) + Math.Abs(_imageToGround[7]) + Math.Abs(_imageToGround[8]);

    private static double W(double[] m, double x, double y) => (m[6] * x) + (m[7] * y) + m[8];
}
