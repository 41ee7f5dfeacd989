using OpenCvSharp;

namespace CameraHub.Masking.Masks;

/// <summary>Draws a mask over a picture so an owner and the DPO can check a calibration by eye.</summary>
public static class MaskPreview
{
    private static readonly Scalar Tint = new(0, 0, 200);
    private static readonly Scalar Outline = new(0, 255, 0);
    // Strong enough to see at a glance which parts are obscured, light enough to still recognise the place.
    private const double TintOpacity = 0.45;

    /// <summary>A PNG of <paramref name="frame"/> (BGR, the mask's size) with the obscured zone tinted red and the kept zone outlined in green.</summary>
    public static byte[] Render(Mat frame, PrivacyMask mask)
    {
        if (frame.Width != mask.Width || frame.Height != mask.Height)
        {
            throw new ArgumentException($"The picture is {frame.Width}×{frame.Height} but the mask is {mask.Width}×{mask.Height}.", nameof(frame));
        }

        using var preview = frame.Clone();
        using var tinted = new Mat(frame.Size(), frame.Type(), Tint);
        using var blend = new Mat();
        Cv2.AddWeighted(frame, 1 - TintOpacity, tinted, TintOpacity, 0, blend);
        blend.CopyTo(preview, mask.Obscure);
        Cv2.FindContours(mask.Keep, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var thickness = Math.Max(2, frame.Width / 480);
        Cv2.DrawContours(preview, contours, -1, Outline, thickness, LineTypes.AntiAlias);
        return preview.ImEncode(".png");
    }
}
