using CameraHub.Masking.Calibration;
using OpenCvSharp;

namespace CameraHub.Masking.Masks;

/// <summary>
/// The façade-distance mask: a pixel is kept only when its ground point lies outside the building within the keep
/// distance of the façade. Pixels at or above the horizon (no ground point in front of the camera) are obscured.
/// </summary>
public static class FacadeDistanceMask
{
    /// <summary>Evaluates every pixel centre through the homography; a few hundred milliseconds at 1080p, done once per calibration.</summary>
    public static PrivacyMask Build(ValidatedCalibration calibration)
    {
        var width = calibration.Calibration.ImageWidth;
        var height = calibration.Calibration.ImageHeight;
        var homography = calibration.Homography;
        var zone = calibration.Zone;
        var keep = new byte[width * height];
        Parallel.For(0, height, y =>
        {
            for (var x = 0; x < width; x++)
            {
                if (homography.ToGround(x, y) is { } g && zone.IsKept(g.X, g.Y))
                {
                    keep[(y * width) + x] = PrivacyMask.Kept;
                }
            }
        });

        var mat = new Mat(height, width, MatType.CV_8UC1);
        mat.SetArray(keep);
        return PrivacyMask.FromKeep(mat);
    }
}
