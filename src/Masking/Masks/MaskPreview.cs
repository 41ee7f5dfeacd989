using CameraHub.Masking.Anonymisation;
using OpenCvSharp;

namespace CameraHub.Masking.Masks;

/// <summary>
/// Draws a mask over a picture so an owner and the DPO can check a calibration by eye. A preview is a picture like any
/// other (DESIGN.md 4.6): the obscured zone is pixelated as in every masked feed, then tinted so it stands out.
/// </summary>
public static class MaskPreview
{
    private static readonly Scalar Tint = new(0, 0, 200);
    private static readonly Scalar Outline = new(0, 255, 0);
    // Enough to see at a glance which parts are obscured; the pixelation underneath is what hides people.
    private const double TintOpacity = 0.35;

    /// <summary>A PNG of <paramref name="frame"/> (BGR, the mask's size) with the obscured zone pixelated and tinted red and the kept zone outlined in green.</summary>
    public static byte[] Render(Mat frame, PrivacyMask mask)
    {
        if (frame.Width != mask.Width || frame.Height != mask.Height)
        {
            throw new ArgumentException($"The picture is {frame.Width}×{frame.Height} but the mask is {mask.Width}×{mask.Height}.", nameof(frame));
        }

        using var preview = frame.Clone();
        using (var pixelator = new Pixelator(frame.Width, frame.Height, ObscureStyle.Pixelate))
        {
            pixelator.Apply(preview, mask.Obscure);
        }

        using var tinted = new Mat(frame.Size(), frame.Type(), Tint);
        using var blend = new Mat();
        Cv2.AddWeighted(preview, 1 - TintOpacity, tinted, TintOpacity, 0, blend);
        blend.CopyTo(preview, mask.Obscure);
        Cv2.FindContours(mask.Keep, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var thickness = Math.Max(2, frame.Width / 480);
        Cv2.DrawContours(preview, contours, -1, Outline, thickness, LineTypes.AntiAlias);
        return preview.ImEncode(".png");
    }
}
