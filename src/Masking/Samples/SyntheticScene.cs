using System.Runtime.InteropServices;
using CameraHub.Masking.Calibration;
using OpenCvSharp;

namespace CameraHub.Masking.Samples;

/// <summary>A marker painted on the synthetic ground: a square with a distinct pattern, centred on a ground point.</summary>
public sealed record SceneMarker(string Name, double GroundX, double GroundY, double DistanceFromFacadeMetres, Rect ImageBounds);

/// <summary>
/// A test scene whose geometry is known exactly: a pinhole camera in front of a school façade renders a textured
/// ground grid, sky above the horizon, and markers at chosen distances from the façade. The building is the sample
/// site SKO-001's outline (0,0)–(40,25); the camera stands south of it looking north, tilted down.
/// </summary>
public sealed class SyntheticScene
{
    /// <summary>The façade of the sample school: a closed outline in metres.</summary>
    public static readonly IReadOnlyList<double[]> SchoolOutline = [[0, 0], [40, 0], [40, 25], [0, 25], [0, 0]];

    private const double MarkerHalfSize = 0.3;
    private readonly double[] _groundToImage;
    private readonly double[] _imageToGround;
    private readonly (string Name, double X, double Y, int Pattern)[] _markers;

    private SyntheticScene(int width, int height, double[] groundToImage, (string, double, double, int)[] markers)
    {
        Width = width;
        Height = height;
        _groundToImage = groundToImage;
        _imageToGround = Invert(groundToImage);
        _markers = markers;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>
    /// The standard scene: camera at (20, −8) m, 4 m up, looking north and 15° down, focal length 0.625 × width.
    /// Markers "in-1.5" and "in-1.5b" stand 1.5 m from the façade; "out-2.5" and "out-2.5b" 2.5 m.
    /// </summary>
    public static SyntheticScene SchoolFacade(int width = 640, int height = 480)
    {
        var focal = 0.625 * width;
        var pitch = 15 * Math.PI / 180;
        var (s, c) = Math.SinCos(pitch);
        double cx = 20, cy = -8, cz = 4;
        // Ground (X, Y, 1) → camera coordinates (right, down, forward), then the pinhole K.
        double[] m = [1, 0, -cx, 0, -s, (s * cy) + (c * cz), 0, c, (-c * cy) + (s * cz)];
        double[] k = [focal, 0, width / 2.0, 0, focal, height / 2.0, 0, 0, 1];
        var h = Multiply(k, m);
        return new SyntheticScene(width, height, h,
        [
            ("in-1.5", 18.5, -1.5, 0),
            ("in-1.5b", 21.5, -1.5, 1),
            ("out-2.5", 18.5, -2.5, 2),
            ("out-2.5b", 21.5, -2.5, 3),
        ]);
    }

    /// <summary>Markers with where they appear in the image.</summary>
    public IReadOnlyList<SceneMarker> Markers => [.. _markers.Select(mk =>
    {
        var corners = new[] { (-1, -1), (1, -1), (1, 1), (-1, 1) }
            .Select(d => ToImage(mk.X + (d.Item1 * MarkerHalfSize), mk.Y + (d.Item2 * MarkerHalfSize)))
            .ToArray();
        var x0 = (int)Math.Floor(corners.Min(p => p.X));
        var y0 = (int)Math.Floor(corners.Min(p => p.Y));
        var x1 = (int)Math.Ceiling(corners.Max(p => p.X));
        var y1 = (int)Math.Ceiling(corners.Max(p => p.Y));
        return new SceneMarker(mk.Name, mk.X, mk.Y, -mk.Y, new Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1));
    })];

    /// <summary>Where a ground point appears (pixels).</summary>
    public (double X, double Y) ToImage(double groundX, double groundY)
    {
        var m = _groundToImage;
        var w = (m[6] * groundX) + (m[7] * groundY) + m[8];
        return (((m[0] * groundX) + (m[1] * groundY) + m[2]) / w, ((m[3] * groundX) + (m[4] * groundY) + m[5]) / w);
    }

    /// <summary>A calibration measured on this scene: six exact pairs on the ground in view, the school outline, 2 m.</summary>
    public CameraCalibration Calibration(string cameraId, double keepDistanceMetres = CameraCalibration.DefaultKeepDistanceMetres)
    {
        (double X, double Y)[] ground = [(16, -1), (24, -1), (17, -3), (23, -3), (20, -2), (18, 0)];
        return new CameraCalibration
        {
            CameraId = cameraId,
            Points = [.. ground.Select(g =>
            {
                var (x, y) = ToImage(g.X, g.Y);
                return new CalibrationPoint(Math.Round(x, 3), Math.Round(y, 3), g.X, g.Y);
            })],
            Facade = SchoolOutline,
            KeepDistanceMetres = keepDistanceMetres,
            ImageWidth = Width,
            ImageHeight = Height,
        };
    }

    /// <summary>
    /// Renders frame <paramref name="frameIndex"/> (BGR). Every pixel carries independent per-channel noise, so pixelation
    /// visibly changes every obscured pixel; the texture shifts with the frame index so video frames differ.
    /// </summary>
    public Mat Render(int frameIndex = 0)
    {
        var pixels = new byte[Width * Height * 3];
        var inv = _imageToGround;
        Parallel.For(0, Height, y =>
        {
            for (var x = 0; x < Width; x++)
            {
                var noise = Noise(x, y, frameIndex);
                var noiseG = Noise(x, y, frameIndex + 7919);
                var noiseR = Noise(x, y, frameIndex + 104729);
                var w = (inv[6] * x) + (inv[7] * y) + inv[8];
                byte b, g, r;
                if (w <= 0)
                {
                    // Sky: a vertical gradient.
                    b = Clamp(220 + noise);
                    g = Clamp(170 + (y / 4) + noiseG);
                    r = Clamp(120 + noiseR);
                }
                else
                {
                    var gx = ((inv[0] * x) + (inv[1] * y) + inv[2]) / w;
                    var gy = ((inv[3] * x) + (inv[4] * y) + inv[5]) / w;
                    (b, g, r) = Ground(gx, gy, noise, noiseG, noiseR);
                }

                var i = ((y * Width) + x) * 3;
                pixels[i] = b;
                pixels[i + 1] = g;
                pixels[i + 2] = r;
            }
        });

        var frame = new Mat(Height, Width, MatType.CV_8UC3);
        Marshal.Copy(pixels, 0, frame.Data, pixels.Length);
        return frame;
    }

    private (byte B, byte G, byte R) Ground(double gx, double gy, int noiseB, int noiseG, int noiseR)
    {
        foreach (var mk in _markers)
        {
            var u = (gx - mk.X + MarkerHalfSize) / (2 * MarkerHalfSize);
            var v = (gy - mk.Y + MarkerHalfSize) / (2 * MarkerHalfSize);
            if (u is >= 0 and < 1 && v is >= 0 and < 1)
            {
                return MarkerPixel(mk.Pattern, u, v);
            }
        }

        // The building's footprint is paved differently from the schoolyard; grid lines every metre.
        var inside = gx is >= 0 and <= 40 && gy is >= 0 and <= 25;
        var onLine = Math.Abs(gx - Math.Round(gx)) < 0.04 || Math.Abs(gy - Math.Round(gy)) < 0.04;
        var baseColour = inside ? 90 : 150;
        var level = onLine ? 40 : baseColour;
        return (Clamp(level + noiseB), Clamp(level + 10 + noiseG), Clamp(level + 20 + noiseR));
    }

    // Four distinct high-contrast patterns that template matching can tell apart.
    private static (byte B, byte G, byte R) MarkerPixel(int pattern, double u, double v)
    {
        var on = pattern switch
        {
            0 => ((int)(u * 4) + (int)(v * 4)) % 2 == 0,
            1 => Math.Abs(u - v) < 0.15 || Math.Abs(u + v - 1) < 0.15,
            2 => ((int)(Math.Sqrt(((u - 0.5) * (u - 0.5)) + ((v - 0.5) * (v - 0.5))) * 8) % 2) == 0,
            // A 5×5 random-looking bit pattern, like a QR code's modules.
            _ => ((0x1B5A2C7 >> (((int)(v * 5) * 5) + (int)(u * 5))) & 1) == 1,
        };
        return pattern switch
        {
            0 => on ? ((byte)0, (byte)0, (byte)255) : ((byte)255, (byte)255, (byte)255),
            1 => on ? ((byte)255, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255),
            2 => on ? ((byte)0, (byte)200, (byte)0) : ((byte)0, (byte)0, (byte)0),
            _ => on ? ((byte)0, (byte)255, (byte)255) : ((byte)60, (byte)0, (byte)120),
        };
    }

    private static int Noise(int x, int y, int frame)
    {
        var h = unchecked((uint)((x * 73856093) ^ (y * 19349663) ^ (frame * 83492791)));
        h ^= h >> 13;
        h = unchecked(h * 0x5bd1e995);
        h ^= h >> 15;
        return (int)(h % 41) - 20;
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    private static double[] Multiply(double[] a, double[] b)
    {
        var r = new double[9];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                r[(i * 3) + j] = (a[i * 3] * b[j]) + (a[(i * 3) + 1] * b[3 + j]) + (a[(i * 3) + 2] * b[6 + j]);
            }
        }

        return r;
    }

    private static double[] Invert(double[] m)
    {
        using var mat = Mat.FromPixelData(3, 3, MatType.CV_64FC1, m);
        using var inv = mat.Inv().ToMat();
        inv.GetArray(out double[] result);
        return result;
    }
}
