using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CameraHub.Masking.Calibration;

/// <summary>One correspondence: a pixel in the camera image and the ground point it shows, in metres in the site frame.</summary>
public sealed record CalibrationPoint(double ImageX, double ImageY, double GroundX, double GroundY);

/// <summary>
/// What a camera's façade-distance mask is computed from: image↔ground pairs, the façade in the same ground frame,
/// the keep distance and the image size the pairs were measured on.
/// </summary>
/// <remarks>
/// The façade is either a closed building outline (first point equals last) or an open polyline; for an open
/// polyline the building lies on the right when walking from the first point to the last.
/// </remarks>
public sealed record CameraCalibration
{
    /// <summary>The distance from the façade within which people may be filmed (schools: 2.0 m).</summary>
    public const double DefaultKeepDistanceMetres = 2.0;

    public required string CameraId { get; init; }
    public required IReadOnlyList<CalibrationPoint> Points { get; init; }
    /// <summary>[x, y] in metres in the site's local frame.</summary>
    public required IReadOnlyList<double[]> Facade { get; init; }
    public double KeepDistanceMetres { get; init; } = DefaultKeepDistanceMetres;
    public required int ImageWidth { get; init; }
    public required int ImageHeight { get; init; }

    /// <summary>
    /// The same calibration for another stream of the same camera (a sub-stream at a lower resolution), or null when
    /// the picture's proportions differ: a pure rescale keeps the geometry only if the whole sensor is still in view.
    /// </summary>
    public CameraCalibration? ScaledTo(int width, int height)
    {
        if (width <= 0 || height <= 0 || ImageWidth <= 0 || ImageHeight <= 0)
        {
            return null;
        }

        double sx = (double)width / ImageWidth, sy = (double)height / ImageHeight;
        if (Math.Abs(sx - sy) > 0.005 * Math.Max(sx, sy))
        {
            return null;
        }

        return this with
        {
            Points = [.. Points.Select(p => p with { ImageX = p.ImageX * sx, ImageY = p.ImageY * sy })],
            ImageWidth = width,
            ImageHeight = height,
        };
    }

    /// <summary>True when the façade is a closed building outline rather than an open polyline.</summary>
    public bool FacadeIsOutline =>
        Facade.Count >= 4 && Facade[0].Length >= 2 && Facade[^1].Length >= 2
        && Facade[0][0] == Facade[^1][0] && Facade[0][1] == Facade[^1][1];

    /// <summary>SHA-256 (hex) of the geometry that determines the mask; the camera id is left out on purpose.</summary>
    public string GeometryHash()
    {
        var canonical = JsonSerializer.Serialize(new
        {
            points = Points.Select(p => new[] { p.ImageX, p.ImageY, p.GroundX, p.GroundY }),
            facade = Facade,
            keep = KeepDistanceMetres,
            w = ImageWidth,
            h = ImageHeight,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
