using OpenCvSharp;

namespace CameraHub.Masking.Masks;

/// <summary>Plain privacy polygons in image pixels (traffic cameras' public areas): everything inside a polygon is obscured.</summary>
public static class PrivacyPolygonMask
{
    /// <summary>Rasterises <paramref name="polygons"/> (each a list of [x, y]) over a kept background.</summary>
    public static PrivacyMask Build(IReadOnlyList<IReadOnlyList<double[]>> polygons, int width, int height)
    {
        var bad = polygons.Select((p, i) => (p, i)).Where(t => t.p.Count < 3 || t.p.Any(v => v.Length != 2)).Select(t => t.i + 1).ToList();
        if (bad.Count > 0)
        {
            throw new ArgumentException($"Privacy polygon(s) {string.Join(", ", bad)} need at least three [x, y] points.", nameof(polygons));
        }

        var mat = new Mat(height, width, MatType.CV_8UC1, Scalar.All(PrivacyMask.Kept));
        var contours = polygons
            .Select(p => p.Select(v => new Point((int)Math.Round(v[0]), (int)Math.Round(v[1]))).ToArray())
            .ToArray();
        Cv2.FillPoly(mat, contours, Scalar.All(PrivacyMask.Obscured), LineTypes.Link8);
        return PrivacyMask.FromKeep(mat);
    }
}
