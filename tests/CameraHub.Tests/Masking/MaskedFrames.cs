using CameraHub.Tests.Shared;

namespace CameraHub.Tests.Masking;

/// <summary>
/// Judges a decoded grey frame against its camera's mask and the camera's own picture. Obscured: every obscured pixel
/// lies within <see cref="ObscuredTolerance"/> grey levels of its block's median (a constant block up to encoding
/// noise). Kept: the kept pixels differ from the source by at most <see cref="KeptTolerance"/> grey levels on average,
/// at the horizontal shift that matches best (the test pattern's full-height bars scroll sideways, so the source frame
/// is taken at another moment); the burnt-in name and clock are left out of that comparison, and so are kept pixels
/// within <see cref="EdgeMargin"/> pixels of the obscured zone (the feed grows the zone to whole 2×2 cells, and the
/// encoder's transform blocks straddle the edge).
/// </summary>
public static class MaskedFrames
{
    /// <summary>Largest difference of an obscured pixel from its block's median obscured value.</summary>
    public const int ObscuredTolerance = 12;

    /// <summary>Kept pixels this close to an obscured one are not compared with the source.</summary>
    public const int EdgeMargin = 4;

    /// <summary>Largest mean absolute difference of kept pixels from the source picture.</summary>
    public const double KeptTolerance = 3.0;

    /// <summary>One decoded frame after <paramref name="skipSeconds"/> as 8-bit grey, judged by ffmpeg itself.</summary>
    public static async Task<byte[]> GrabGreyAsync(int width, int height, double skipSeconds, params string[] input)
    {
        var file = Path.Combine(Path.GetTempPath(), $"camerahub-frame-{Guid.NewGuid():N}.gray");
        try
        {
            var (code, log) = await Tool.RunAsync("ffmpeg", ["-v", "error", .. input, "-ss", $"{skipSeconds}", "-frames:v", "1",
                "-f", "rawvideo", "-pix_fmt", "gray", "-y", file]);
            Assert.True(code == 0, log);
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(width * height, bytes.Length);
            return bytes;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The last frame a recorded stream file decodes to, as 8-bit grey.</summary>
    public static async Task<byte[]> LastGreyAsync(int width, int height, string file)
    {
        var raw = Path.Combine(Path.GetTempPath(), $"camerahub-frames-{Guid.NewGuid():N}.gray");
        try
        {
            var (code, log) = await Tool.RunAsync("ffmpeg", ["-v", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "gray", "-y", raw]);
            Assert.True(code == 0, log);
            var bytes = await File.ReadAllBytesAsync(raw);
            Assert.True(bytes.Length >= width * height, $"{file} decoded to {bytes.Length} bytes");
            return bytes[^(width * height)..];
        }
        finally
        {
            File.Delete(raw);
        }
    }

    /// <summary>The obscured pixels of a mask PNG (black obscured, white kept) as decoded by ffmpeg.</summary>
    public static async Task<bool[]> ObscuredAsync(byte[] maskPng, int width, int height)
    {
        var png = Path.Combine(Path.GetTempPath(), $"camerahub-mask-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(png, maskPng);
        try
        {
            var grey = await GrabGreyAsync(width, height, 0, "-i", png);
            return [.. grey.Select(v => v < 128)];
        }
        finally
        {
            File.Delete(png);
        }
    }

    /// <summary>
    /// The worst difference of an obscured pixel from its block's median, and how many obscured pixels there are. With an
    /// <paramref name="edgeMargin"/>, obscured pixels closer than that to a kept one are left out of the worst: a lossy
    /// encode rings across its transform blocks, so the kept picture's edges bleed a few pixels into the mask.
    /// </summary>
    public static (int Worst, int Count) Obscured(byte[] frame, bool[] obscured, int width, int height, int block, int edgeMargin = 0)
    {
        bool NearKept(int x, int y)
        {
            for (var ny = Math.Max(0, y - edgeMargin); ny <= Math.Min(height - 1, y + edgeMargin); ny++)
            {
                for (var nx = Math.Max(0, x - edgeMargin); nx <= Math.Min(width - 1, x + edgeMargin); nx++)
                {
                    if (!obscured[(ny * width) + nx])
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        var worst = 0;
        var count = 0;
        for (var by = 0; by < height; by += block)
        {
            for (var bx = 0; bx < width; bx += block)
            {
                var values = new List<byte>();
                var inner = new List<byte>();
                for (var y = by; y < Math.Min(height, by + block); y++)
                {
                    for (var x = bx; x < Math.Min(width, bx + block); x++)
                    {
                        if (obscured[(y * width) + x])
                        {
                            values.Add(frame[(y * width) + x]);
                            if (edgeMargin == 0 || !NearKept(x, y))
                            {
                                inner.Add(frame[(y * width) + x]);
                            }
                        }
                    }
                }

                if (values.Count == 0)
                {
                    continue;
                }

                values.Sort();
                var median = values[values.Count / 2];
                worst = inner.Count == 0 ? worst : Math.Max(worst, inner.Max(v => Math.Abs(v - median)));
                count += values.Count;
            }
        }

        return (worst, count);
    }

    /// <summary>
    /// Mean absolute difference of kept pixels from the source at the best sideways shift, leaving out the
    /// <paramref name="ignored"/> ones. The full-height bars are the same in every row, so every row is compared with
    /// the source's <paramref name="referenceRow"/> (one the burnt-in name and clock do not cross).
    /// </summary>
    public static double Kept(byte[] frame, byte[] source, bool[] obscured, int width, Func<int, int, bool> ignored, int referenceRow)
    {
        var height = obscured.Length / width;
        var near = new bool[obscured.Length];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (!obscured[(y * width) + x])
                {
                    continue;
                }

                for (var dy = -EdgeMargin; dy <= EdgeMargin; dy++)
                {
                    for (var dx = -EdgeMargin; dx <= EdgeMargin; dx++)
                    {
                        var (ny, nx) = (y + dy, x + dx);
                        if (ny >= 0 && ny < height && nx >= 0 && nx < width)
                        {
                            near[(ny * width) + nx] = true;
                        }
                    }
                }
            }
        }

        var best = double.MaxValue;
        for (var shift = 0; shift < width; shift++)
        {
            long sum = 0;
            var n = 0;
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var i = (y * width) + x;
                    if (near[i] || ignored(x, y))
                    {
                        continue;
                    }

                    sum += Math.Abs(frame[i] - source[(referenceRow * width) + ((x + shift) % width)]);
                    n++;
                }
            }

            Assert.True(n > 500, $"only {n} kept pixels to compare");
            best = Math.Min(best, sum / (double)n);
        }

        return best;
    }

    /// <summary>The mean standard deviation of the grey values in whole blocks that are entirely obscured (detail left: ~0).</summary>
    public static double ObscuredDetail(byte[] frame, bool[] obscured, int width, int height, int block)
    {
        var deviations = new List<double>();
        for (var by = 0; by + block <= height; by += block)
        {
            for (var bx = 0; bx + block <= width; bx += block)
            {
                double sum = 0, squares = 0;
                var all = true;
                for (var y = by; y < by + block && all; y++)
                {
                    for (var x = bx; x < bx + block; x++)
                    {
                        all &= obscured[(y * width) + x];
                        var v = frame[(y * width) + x];
                        sum += v;
                        squares += v * v;
                    }
                }

                if (all)
                {
                    var n = block * block;
                    deviations.Add(Math.Sqrt(Math.Max(0, (squares / n) - ((sum / n) * (sum / n)))));
                }
            }
        }

        return deviations.Count == 0 ? 0 : deviations.Average();
    }
}
