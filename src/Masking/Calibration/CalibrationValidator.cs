using System.Globalization;

namespace CameraHub.Masking.Calibration;

/// <summary>A calibration that passed every check, with its fitted homography and façade geometry.</summary>
public sealed record ValidatedCalibration(
    CameraCalibration Calibration,
    GroundHomography Homography,
    FacadeZone Zone,
    IReadOnlyList<double> ReprojectionErrorsPixels)
{
    /// <summary>Root-mean-square reprojection error over all pairs, in pixels.</summary>
    public double RmsReprojectionErrorPixels =>
        Math.Sqrt(ReprojectionErrorsPixels.Sum(e => e * e) / ReprojectionErrorsPixels.Count);
}

/// <summary>Thrown when a calibration cannot be trusted; nothing is masked with it.</summary>
public sealed class CalibrationRejectedException(string cameraId, IReadOnlyList<string> problems)
    : Exception($"Calibration of {cameraId} refused: {string.Join(" ", problems)}")
{
    public string CameraId { get; } = cameraId;
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Refuses calibrations that would produce a wrong mask — too few or collinear points, a homography that flips or
/// collapses, points that disagree with the fit, a façade on the wrong side — naming the points at fault.
/// </summary>
public static class CalibrationValidator
{
    /// <summary>A pair may be this far (pixels) from the fitted homography before it is called wrong.</summary>
    public const double MaxReprojectionErrorPixels = 4.0;
    /// <summary>Twice a triangle's area over its longest side squared; below this the three points count as one line.</summary>
    private const double CollinearityTolerance = 0.02;
    /// <summary>Ground points this close to the façade are on it, not behind it (measurement slack, metres).</summary>
    private const double FacadeToleranceMetres = 0.10;
    private const double MinConditioning = 1e-9;

    /// <summary>Checks <paramref name="calibration"/> and fits it; throws <see cref="CalibrationRejectedException"/> naming what is wrong.</summary>
    public static ValidatedCalibration Validate(CameraCalibration calibration)
    {
        var problems = new List<string>();
        var points = calibration.Points;
        if (calibration.ImageWidth <= 0 || calibration.ImageHeight <= 0)
        {
            problems.Add($"Image size {calibration.ImageWidth}×{calibration.ImageHeight} is not a picture size.");
        }

        if (calibration.KeepDistanceMetres is not (> 0 and <= 100))
        {
            problems.Add($"Keep distance {F(calibration.KeepDistanceMetres)} m must be above 0 and at most 100 m.");
        }

        if (calibration.Facade.Count < 2 || calibration.Facade.Any(p => p.Length != 2 || !double.IsFinite(p[0]) || !double.IsFinite(p[1])))
        {
            problems.Add("The façade needs at least two [x, y] points in metres.");
        }
        else if (calibration.Facade.Zip(calibration.Facade.Skip(1)).All(s => s.First[0] == s.Second[0] && s.First[1] == s.Second[1]))
        {
            problems.Add("The façade points are all the same point.");
        }

        if (points.Count < 4)
        {
            problems.Add($"At least 4 image↔ground pairs are needed; got {points.Count}.");
        }

        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            if (!double.IsFinite(p.ImageX) || !double.IsFinite(p.ImageY) || !double.IsFinite(p.GroundX) || !double.IsFinite(p.GroundY))
            {
                problems.Add($"{Name(i, p)} has a missing coordinate.");
            }
            else if (calibration.ImageWidth > 0 && (p.ImageX < 0 || p.ImageY < 0 || p.ImageX > calibration.ImageWidth - 1 || p.ImageY > calibration.ImageHeight - 1))
            {
                problems.Add($"{Name(i, p)} lies outside the {calibration.ImageWidth}×{calibration.ImageHeight} image.");
            }
        }

        if (problems.Count > 0)
        {
            throw new CalibrationRejectedException(calibration.CameraId, problems);
        }

        CheckCollinear(points, p => (p.ImageX, p.ImageY), "image", problems);
        CheckCollinear(points, p => (p.GroundX, p.GroundY), "ground", problems);
        if (problems.Count > 0)
        {
            throw new CalibrationRejectedException(calibration.CameraId, problems);
        }

        var homography = GroundHomography.Fit(points, MaxReprojectionErrorPixels, out var inliers);
        if (homography is null)
        {
            throw new CalibrationRejectedException(calibration.CameraId, ["No homography fits these pairs; check that image and ground points are listed in the same order."]);
        }

        if (homography.Conditioning() < MinConditioning)
        {
            problems.Add("The homography collapses the ground onto a line; the pairs do not span an area.");
        }

        // Every calibration point is seen by the camera, so all must lie in front of it (same side of the horizon).
        // A point on the other side means the fitted plane is folded through the picture: two pairs are swapped.
        var behind = Enumerable.Range(0, points.Count).Where(i => homography.HomogeneousScale(points[i].ImageX, points[i].ImageY) <= 0).ToList();
        if (behind.Count > 0)
        {
            problems.Add($"The homography flips: {string.Join(", ", behind.Select(i => Name(i, points[i])))} would lie behind the camera; are two pairs swapped?");
        }

        var errors = points.Select(homography.ReprojectionError).ToList();
        for (var i = 0; i < points.Count; i++)
        {
            if (!inliers[i] || errors[i] > MaxReprojectionErrorPixels)
            {
                problems.Add($"{Name(i, points[i])} is {F(errors[i])} px from where the other pairs put it (limit {F(MaxReprojectionErrorPixels)} px).");
            }
        }

        if (problems.Count > 0)
        {
            throw new CalibrationRejectedException(calibration.CameraId, problems);
        }

        var zone = FacadeZone.Create(calibration.Facade, calibration.FacadeIsOutline, calibration.KeepDistanceMetres);
        var inside = Enumerable.Range(0, points.Count)
            .Where(i => zone.IsInsideBuilding(points[i].GroundX, points[i].GroundY, FacadeToleranceMetres))
            .ToList();
        if (inside.Count > 0)
        {
            var hint = calibration.FacadeIsOutline
                ? "the camera cannot see the ground inside the building; check the outline and the ground frame."
                : "the building must be on the right when walking along the façade from its first point; reverse the façade points.";
            problems.Add($"The façade is on the wrong side: {string.Join(", ", inside.Select(i => Name(i, points[i])))} would be inside the building; {hint}");
            throw new CalibrationRejectedException(calibration.CameraId, problems);
        }

        return new ValidatedCalibration(calibration, homography, zone, errors);
    }

    private static void CheckCollinear(IReadOnlyList<CalibrationPoint> points, Func<CalibrationPoint, (double X, double Y)> at, string plane, List<string> problems)
    {
        var n = points.Count;
        var c = points.Select(at).ToArray();
        // The points must span an area: some triple of them must form a proper triangle.
        var spansArea = false;
        for (var i = 0; i < n && !spansArea; i++)
        {
            for (var j = i + 1; j < n && !spansArea; j++)
            {
                for (var k = j + 1; k < n && !spansArea; k++)
                {
                    spansArea = !Collinear(c[i], c[j], c[k]);
                }
            }
        }

        if (!spansArea)
        {
            problems.Add($"All {plane} points lie on one line ({string.Join(", ", Enumerable.Range(0, n).Select(i => Name(i, points[i])))}); add points off that line.");
            return;
        }

        // With exactly four pairs every triple matters: three on a line leave the homography undetermined.
        if (n == 4)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    for (var k = j + 1; k < n; k++)
                    {
                        if (Collinear(c[i], c[j], c[k]))
                        {
                            problems.Add($"{Name(i, points[i])}, {Name(j, points[j])} and {Name(k, points[k])} lie on one line in the {plane}; move one of them or add a fifth pair.");
                        }
                    }
                }
            }
        }
    }

    private static bool Collinear((double X, double Y) a, (double X, double Y) b, (double X, double Y) c)
    {
        var twiceArea = Math.Abs(((b.X - a.X) * (c.Y - a.Y)) - ((b.Y - a.Y) * (c.X - a.X)));
        var longest = Math.Max(Sq(a, b), Math.Max(Sq(b, c), Sq(a, c)));
        return longest == 0 || twiceArea / longest < CollinearityTolerance;
    }

    private static double Sq((double X, double Y) a, (double X, double Y) b) => ((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y));

    private static string Name(int index, CalibrationPoint p) =>
        $"point {index + 1} (image {F(p.ImageX)},{F(p.ImageY)} ↔ ground {F(p.GroundX)},{F(p.GroundY)})";

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
