using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Onvif.Media2;

namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>The masks to put on a camera (normalised polygons), or why the camera cannot carry the profile.</summary>
/// <param name="Polygons">Each a polygon in ONVIF's normalised coordinates; empty when <paramref name="Refusal"/> is set.</param>
/// <param name="KeptLoss">The share of the profile's kept pixels the camera's masks obscure too (grown area).</param>
/// <param name="Method">"polygons as they are" or "traced from the mask at N px cells".</param>
/// <param name="Refusal">Why the hub masks instead; null when the plan fits.</param>
public sealed record CameraMaskPlan(IReadOnlyList<IReadOnlyList<OnvifVector>> Polygons, double KeptLoss, string Method, string? Refusal)
{
    public bool Fits => Refusal is null;
}

/// <summary>
/// Turns a camera's masking profile into Media2 masks within the camera's limits, only ever growing the obscured area
/// (docs/design/masking.md, "Masked at the camera"): privacy polygons as they are when they fit, otherwise polygons
/// traced from the hub's obscure bitmap on a grid of cells, coarser until they fit; refused when the growth would hide
/// more than <c>maxKeptLoss</c> of what the profile keeps.
/// </summary>
public static class CameraMaskGeometry
{
    /// <summary>Pixels every polygon is pushed out by, so the camera's rasterisation covers every pixel the hub obscures.</summary>
    public const double GrowPixels = 2;

    private static readonly int[] CellSizes = [8, 16, 32, 48, 64, 96, 128];

    /// <summary>The masks for <paramref name="profile"/> on a camera with <paramref name="options"/>; <paramref name="obscure"/> is the
    /// hub's bitmap at the stream's <paramref name="width"/>×<paramref name="height"/> (non-zero where obscured), and at most
    /// <paramref name="maxKeptLoss"/> of its kept pixels may be hidden too.</summary>
    public static CameraMaskPlan Plan(MaskingProfile profile, byte[] obscure, int width, int height, OnvifMaskOptions options, double maxKeptLoss)
    {
        if (options.MaxMasks < 1 || options.MaxPoints < 3)
        {
            return Refused($"the camera takes {options.MaxMasks} masks of at most {options.MaxPoints} points");
        }

        if (profile.Kind == MaskingKind.PrivacyPolygons && !options.RectangleOnly && profile.Polygons.Count <= options.MaxMasks
            && profile.Polygons.All(p => p.Count >= 3 && p.Count <= options.MaxPoints))
        {
            var pixels = profile.Polygons.Select(p => Grow([.. p.Select(pt => (pt[0], pt[1]))])).ToList();
            return Checked(pixels, obscure, width, height, maxKeptLoss, "polygons as they are");
        }

        // Convex hulls of the obscured regions, split while the camera takes more masks (the façade band: one per side);
        // the staircase trace of cells as before; the one that hides less of what is kept goes to the camera.
        var (hulls, hullWhy) = CameraMaskHulls.Cover(obscure, width, height, options.MaxMasks, options.RectangleOnly ? 4 : options.MaxPoints, options.RectangleOnly);
        var hullPlan = hulls is null ? null : Checked(hulls, obscure, width, height, maxKeptLoss, $"convex hulls of the obscured regions ({hulls.Count} masks)");
        if (hullPlan is { Fits: true, KeptLoss: < 0.005 })
        {
            return hullPlan;
        }

        string? last = null;
        CameraMaskPlan? traced = null;
        foreach (var cell in CellSizes)
        {
            var polygons = Trace(obscure, width, height, cell, options.RectangleOnly ? 4 : options.MaxPoints);
            if (polygons.Count > options.MaxMasks)
            {
                last = $"{polygons.Count} polygons at {cell} px cells, the camera takes {options.MaxMasks}";
                continue;
            }

            // Coarser cells only hide more, so the first size that fits the count is the one to judge.
            traced = Checked([.. polygons.Select(Grow)], obscure, width, height, maxKeptLoss, $"traced from the mask at {cell} px cells");
            break;
        }

        var plans = new[] { hullPlan, traced }.OfType<CameraMaskPlan>().ToList();
        if (plans.Where(p => p.Fits).OrderBy(p => p.KeptLoss).FirstOrDefault() is { } fits)
        {
            return fits;
        }

        // Neither fits: say why, naming the share the least hiding one would take from what is kept.
        return plans.Where(p => p.KeptLoss > 0).OrderBy(p => p.KeptLoss).FirstOrDefault()
            ?? Refused($"the mask does not fit the camera's limits ({(hulls is null ? hullWhy : last ?? "no plan")})");
    }

    /// <summary>The plan if it hides at most <paramref name="maxKeptLoss"/> of the kept pixels, else refused naming the share.</summary>
    private static CameraMaskPlan Checked(List<List<(double X, double Y)>> polygons, byte[] obscure, int width, int height, double maxKeptLoss, string method)
    {
        // Judged as the camera gets them: in its normalised window, clamped to the frame.
        polygons = [.. polygons.Select(p => p.Select(pt => OnvifVector.FromPixel(pt.X, pt.Y, width, height).ToPixel(width, height)).ToList())];
        var covered = Rasterise(polygons, width, height);
        long kept = 0, lost = 0, uncovered = 0;
        for (var i = 0; i < obscure.Length; i++)
        {
            if (obscure[i] == 0)
            {
                kept++;
                if (covered[i])
                {
                    lost++;
                }
            }
            else if (!covered[i])
            {
                uncovered++;
            }
        }

        if (uncovered > 0)
        {
            // Never expected (every method grows the area); if it happens the camera would show too much: the hub masks.
            return new CameraMaskPlan([], 0, method, $"the camera's masks ({method}) would leave {uncovered} obscured pixels uncovered");
        }

        var loss = kept == 0 ? 0 : (double)lost / kept;
        var normalised = polygons.Select(p => (IReadOnlyList<OnvifVector>)[.. p.Select(pt => OnvifVector.FromPixel(pt.X, pt.Y, width, height))]).ToList();
        return loss > maxKeptLoss
            ? new CameraMaskPlan([], loss, method, $"the camera's masks ({method}) would hide {loss:P0} of what the profile keeps (at most {maxKeptLoss:P0})")
            : new CameraMaskPlan(normalised, loss, method, null);
    }

    private static CameraMaskPlan Refused(string reason) => new([], 0, "none", reason);

    /// <summary>
    /// Y-monotone staircase polygons covering every obscured pixel: cells are obscured when any pixel in them is, each
    /// row of cells is split into runs, and a run continues the polygon above when it overlaps exactly one run there,
    /// that run overlaps only it, and the polygon stays within <paramref name="maxPoints"/>.
    /// </summary>
    internal static List<List<(double X, double Y)>> Trace(byte[] obscure, int width, int height, int cell, int maxPoints)
    {
        var columns = (width + cell - 1) / cell;
        var rows = (height + cell - 1) / cell;
        var runsByRow = new List<List<(int From, int To)>>(rows);
        for (var r = 0; r < rows; r++)
        {
            var flags = new bool[columns];
            for (var y = r * cell; y < Math.Min(height, (r + 1) * cell); y++)
            {
                var offset = y * width;
                for (var x = 0; x < width; x++)
                {
                    if (obscure[offset + x] != 0)
                    {
                        flags[x / cell] = true;
                    }
                }
            }

            var runs = new List<(int, int)>();
            for (var c = 0; c < columns; c++)
            {
                if (!flags[c])
                {
                    continue;
                }

                var start = c;
                while (c + 1 < columns && flags[c + 1])
                {
                    c++;
                }

                runs.Add((start, c + 1));
            }

            runsByRow.Add(runs);
        }

        // Each open staircase: its rows' runs from the top, and the cell row it starts at.
        var done = new List<(int Top, List<(int From, int To)> Runs)>();
        var open = new List<(int Top, List<(int From, int To)> Runs)>();
        for (var r = 0; r < rows; r++)
        {
            var next = new List<(int Top, List<(int From, int To)> Runs)>();
            var taken = new HashSet<int>();
            foreach (var run in runsByRow[r])
            {
                var above = open.Select((s, i) => (s, i)).Where(o => Overlaps(o.s.Runs[^1], run)).ToList();
                if (above.Count == 1 && !taken.Contains(above[0].i)
                    && runsByRow[r].Count(other => Overlaps(above[0].s.Runs[^1], other)) == 1)
                {
                    var extended = new List<(int From, int To)>(above[0].s.Runs) { run };
                    if (Points(extended) <= maxPoints)
                    {
                        taken.Add(above[0].i);
                        next.Add((above[0].s.Top, extended));
                        continue;
                    }
                }

                next.Add((r, [run]));
            }

            for (var i = 0; i < open.Count; i++)
            {
                if (!taken.Contains(i))
                {
                    done.Add(open[i]);
                }
            }

            open = next;
        }

        done.AddRange(open);
        return [.. done.Select(s => Outline(s.Top, s.Runs, cell, width, height))];
    }

    private static bool Overlaps((int From, int To) a, (int From, int To) b) => a.From < b.To && b.From < a.To;

    private static int Points(List<(int From, int To)> runs) => Outline(0, runs, 1, int.MaxValue, int.MaxValue).Count;

    /// <summary>The outline of stacked runs: down the right side, back up the left, collinear corners dropped.</summary>
    private static List<(double X, double Y)> Outline(int top, List<(int From, int To)> runs, int cell, int width, int height)
    {
        var points = new List<(double X, double Y)>();
        for (var i = 0; i < runs.Count; i++)
        {
            double x = Math.Min(width, runs[i].To * cell), y0 = (top + i) * cell, y1 = Math.Min(height, (top + i + 1) * cell);
            points.Add((x, y0));
            points.Add((x, y1));
        }

        for (var i = runs.Count - 1; i >= 0; i--)
        {
            double x = runs[i].From * cell, y0 = (top + i) * cell, y1 = Math.Min(height, (top + i + 1) * cell);
            points.Add((x, y1));
            points.Add((x, y0));
        }

        return Simplified(points);
    }

    private static List<(double X, double Y)> Simplified(List<(double X, double Y)> points)
    {
        var result = new List<(double X, double Y)>(points);
        var changed = true;
        while (changed && result.Count > 3)
        {
            changed = false;
            for (var i = 0; i < result.Count && result.Count > 3; i++)
            {
                var a = result[(i + result.Count - 1) % result.Count];
                var b = result[i];
                var c = result[(i + 1) % result.Count];
                var cross = ((b.X - a.X) * (c.Y - b.Y)) - ((b.Y - a.Y) * (c.X - b.X));
                if (Math.Abs(cross) < 1e-9)
                {
                    result.RemoveAt(i);
                    changed = true;
                    i--;
                }
            }
        }

        return result;
    }

    /// <summary>Pushes every corner out by <see cref="GrowPixels"/> along its mitre (capped at four times), outward whatever the winding.</summary>
    internal static List<(double X, double Y)> Grow(List<(double X, double Y)> polygon)
    {
        var n = polygon.Count;
        double area = 0;
        for (var i = 0; i < n; i++)
        {
            var (x1, y1) = polygon[i];
            var (x2, y2) = polygon[(i + 1) % n];
            area += (x1 * y2) - (x2 * y1);
        }

        // Pixel y points down: a positive shoelace sum is clockwise on screen, whose outward normal of edge (dx, dy) is (dy, -dx).
        var sign = area >= 0 ? 1 : -1;
        var grown = new List<(double X, double Y)>(n);
        for (var i = 0; i < n; i++)
        {
            var prev = polygon[(i + n - 1) % n];
            var here = polygon[i];
            var next = polygon[(i + 1) % n];
            var n1 = Normal(prev, here, sign);
            var n2 = Normal(here, next, sign);
            var (mx, my) = (n1.X + n2.X, n1.Y + n2.Y);
            var dot = (n1.X * n2.X) + (n1.Y * n2.Y);
            var scale = GrowPixels / Math.Max(1 + dot, 1.0 / 8);
            var length = Math.Sqrt((mx * mx) + (my * my)) * scale;
            if (length > 4 * GrowPixels)
            {
                scale *= 4 * GrowPixels / length;
            }

            grown.Add((here.X + (mx * scale), here.Y + (my * scale)));
        }

        return grown;
    }

    private static (double X, double Y) Normal((double X, double Y) a, (double X, double Y) b, int sign)
    {
        var (dx, dy) = (b.X - a.X, b.Y - a.Y);
        var length = Math.Sqrt((dx * dx) + (dy * dy));
        return length < 1e-12 ? (0, 0) : (sign * dy / length, -sign * dx / length);
    }

    /// <summary>Which pixel centres the polygons cover (even-odd per polygon, as the fake camera and typical cameras fill).</summary>
    public static bool[] Rasterise(IEnumerable<List<(double X, double Y)>> polygons, int width, int height)
    {
        var covered = new bool[width * height];
        var xs = new List<double>();
        foreach (var polygon in polygons)
        {
            for (var y = 0; y < height; y++)
            {
                var cy = y + 0.5;
                xs.Clear();
                for (var i = 0; i < polygon.Count; i++)
                {
                    var (x1, y1) = polygon[i];
                    var (x2, y2) = polygon[(i + 1) % polygon.Count];
                    if ((y1 <= cy && cy < y2) || (y2 <= cy && cy < y1))
                    {
                        xs.Add(x1 + ((cy - y1) * (x2 - x1) / (y2 - y1)));
                    }
                }

                xs.Sort();
                for (var k = 0; k + 1 < xs.Count; k += 2)
                {
                    var from = Math.Max(0, (int)Math.Ceiling(xs[k] - 0.5));
                    var to = Math.Min(width - 1, (int)Math.Floor(xs[k + 1] - 0.5));
                    for (var x = from; x <= to; x++)
                    {
                        covered[(y * width) + x] = true;
                    }
                }
            }
        }

        return covered;
    }
}
