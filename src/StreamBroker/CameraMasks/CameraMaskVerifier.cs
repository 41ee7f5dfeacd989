namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>What one verification saw: passed or not, why, and the figures it judged by.</summary>
public sealed record MaskVerdict(bool Passed, string Reason, int Median, int WorstDeviation, double MeanDeviation);

/// <summary>
/// Judges one decoded frame of the camera's own stream against the hub's obscure bitmap: every obscured pixel must be
/// flat fill (docs/design/masking.md, "Masked at the camera"). The fill is whatever the camera drew — within
/// <see cref="PixelTolerance"/> of the obscured pixels' median, no detail left on average, and near the luma of the
/// colour asked for, so a flat or dark scene cannot pass for a mask.
/// </summary>
public static class CameraMaskVerifier
{
    /// <summary>Grey levels an obscured pixel may stray from the fill (H.264 rings a little at a mask's edge).</summary>
    public const int PixelTolerance = 24;

    /// <summary>Mean grey-level deviation above which detail is left in the obscured area.</summary>
    public const double MeanTolerance = 3;

    /// <summary>
    /// Judges <paramref name="frame"/> (grey, one byte per pixel, row-major, <paramref name="width"/>×<paramref name="height"/>)
    /// where <paramref name="obscure"/> (same size) is non-zero; <paramref name="fillLuma"/> is the luma of the fill colour
    /// asked for (null when the camera chose it).
    /// </summary>
    public static MaskVerdict Judge(byte[] frame, byte[] obscure, int width, int height, int? fillLuma)
    {
        if (frame.Length != width * height || obscure.Length != width * height)
        {
            return new MaskVerdict(false, $"the snapshot is not {width}×{height} (got {frame.Length} bytes)", 0, 0, 0);
        }

        var histogram = new long[256];
        long count = 0;
        for (var i = 0; i < frame.Length; i++)
        {
            if (obscure[i] != 0)
            {
                histogram[frame[i]]++;
                count++;
            }
        }

        if (count == 0)
        {
            return new MaskVerdict(true, "the profile obscures no pixel of this picture", 0, 0, 0);
        }

        var median = 0;
        for (long seen = 0; median < 256; median++)
        {
            seen += histogram[median];
            if (seen * 2 >= count)
            {
                break;
            }
        }

        long total = 0, outside = 0;
        var worst = 0;
        var firstOutside = -1;
        for (var i = 0; i < frame.Length; i++)
        {
            if (obscure[i] == 0)
            {
                continue;
            }

            var deviation = Math.Abs(frame[i] - median);
            total += deviation;
            worst = Math.Max(worst, deviation);
            if (deviation > PixelTolerance)
            {
                outside++;
                if (firstOutside < 0)
                {
                    firstOutside = i;
                }
            }
        }

        var mean = (double)total / count;
        if (outside > 0)
        {
            return new MaskVerdict(false,
                $"{outside} of {count} obscured pixels show picture (first at x={firstOutside % width}, y={firstOutside / width}: "
                + $"{frame[firstOutside]} against the fill's {median}, tolerance {PixelTolerance})", median, worst, mean);
        }

        if (mean > MeanTolerance)
        {
            return new MaskVerdict(false, $"the obscured area still shows detail (mean deviation {mean:0.0} grey levels, at most {MeanTolerance})", median, worst, mean);
        }

        if (fillLuma is { } luma && Math.Abs(median - luma) > PixelTolerance)
        {
            return new MaskVerdict(false, $"the obscured area is flat at grey {median}, not the mask colour's {luma}: the picture, not a mask", median, worst, mean);
        }

        return new MaskVerdict(true, $"all {count} obscured pixels are fill (grey {median}, worst deviation {worst}, mean {mean:0.00})", median, worst, mean);
    }
}
