namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>
/// Covers an obscure bitmap with at most N convex polygons of at most M points that only ever grow the obscured area
/// (docs/design/masking.md, "Masked at the camera"): one convex hull per connected obscured region (hulls of whole pixel
/// squares, so every obscured pixel is inside), the hull's corners cut outward (two neighbouring edges extended until
/// they meet) until it has M points, and the region whose hull hides the most kept pixels split in two — across
/// its bounding box, the way that hides less — while the camera takes more masks. A band kept along a straight façade
/// (two half-planes obscured) fits in two masks; a bend of the band costs a split.
/// </summary>
internal static class CameraMaskHulls
{
    private const int MaxRegions = 256;

    private sealed record Piece(int[] Labels, int X0, int Y0, int X1, int Y1)
    {
        public List<(double X, double Y)>? Polygon;
        public long Lost;
        public bool Final;
    }

    /// <summary>
    /// The polygons in pixel coordinates (already grown by <see cref="CameraMaskGeometry.GrowPixels"/>), or null with why
    /// they do not fit.
    /// </summary>
    internal static (List<List<(double X, double Y)>>? Polygons, string Why) Cover(byte[] obscure, int width, int height, int maxMasks, int maxPoints, bool rectangles)
    {
        var (labels, count) = Components(obscure, width, height);
        if (count == 0)
        {
            return ([], "nothing is obscured");
        }

        if (count > MaxRegions)
        {
            // Joining them nearest-first is quadratic; a mask of that many specks is left to the staircase trace.
            return (null, $"{count} separate obscured regions");
        }

        var keptPrefix = KeptPrefix(obscure, width, height);
        var pieces = Merge(labels, count, width, height, maxMasks).Select(set => Tight(obscure, labels, set, width, 0, 0, width, height)).OfType<Piece>().ToList();
        foreach (var piece in pieces)
        {
            Evaluate(piece, obscure, labels, keptPrefix, width, height, maxPoints, rectangles);
        }

        while (pieces.Count < maxMasks)
        {
            var worst = pieces.Where(p => !p.Final).OrderByDescending(p => p.Polygon is null ? long.MaxValue : p.Lost).FirstOrDefault();
            if (worst is null || (worst.Polygon is not null && worst.Lost == 0))
            {
                break;
            }

            var halves = Split(worst, obscure, labels, keptPrefix, width, height, maxPoints, rectangles);
            if (halves is null)
            {
                worst.Final = true;
                continue;
            }

            pieces.Remove(worst);
            pieces.AddRange(halves);
        }

        if (pieces.FirstOrDefault(p => p.Polygon is null) is { } unfit)
        {
            return (null, $"a region of {unfit.X1 - unfit.X0}×{unfit.Y1 - unfit.Y0} px needs more than {maxPoints} points even split into {maxMasks} masks");
        }

        return ([.. pieces.Select(p => p.Polygon!)], $"{pieces.Count} hulls");
    }

    /// <summary>8-connected obscured regions: a label per pixel (0 kept) and how many.</summary>
    private static (int[] Labels, int Count) Components(byte[] obscure, int width, int height)
    {
        var labels = new int[obscure.Length];
        var next = 0;
        var stack = new Stack<int>();
        for (var start = 0; start < obscure.Length; start++)
        {
            if (obscure[start] == 0 || labels[start] != 0)
            {
                continue;
            }

            labels[start] = ++next;
            stack.Push(start);
            while (stack.TryPop(out var i))
            {
                int x = i % width, y = i / width;
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx >= 0 && ny >= 0 && nx < width && ny < height && obscure[(ny * width) + nx] != 0 && labels[(ny * width) + nx] == 0)
                        {
                            labels[(ny * width) + nx] = next;
                            stack.Push((ny * width) + nx);
                        }
                    }
                }
            }
        }

        return (labels, next);
    }

    /// <summary>Groups of labels, at most <paramref name="maxMasks"/>: the two regions whose boxes' centres are nearest are joined first.</summary>
    private static List<int[]> Merge(int[] labels, int count, int width, int height, int maxMasks)
    {
        var boxes = new (int X0, int Y0, int X1, int Y1)[count + 1];
        for (var l = 1; l <= count; l++)
        {
            boxes[l] = (int.MaxValue, int.MaxValue, -1, -1);
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] is var l and > 0)
            {
                int x = i % width, y = i / width;
                var b = boxes[l];
                boxes[l] = (Math.Min(b.X0, x), Math.Min(b.Y0, y), Math.Max(b.X1, x + 1), Math.Max(b.Y1, y + 1));
            }
        }

        var groups = Enumerable.Range(1, count).Select(l => (Labels: new List<int> { l }, Box: boxes[l])).ToList();
        while (groups.Count > maxMasks)
        {
            var best = (A: 0, B: 1, D: double.MaxValue);
            for (var a = 0; a < groups.Count; a++)
            {
                for (var b = a + 1; b < groups.Count; b++)
                {
                    var (p, q) = (groups[a].Box, groups[b].Box);
                    var d = Math.Pow((p.X0 + p.X1 - q.X0 - q.X1) / 2.0, 2) + Math.Pow((p.Y0 + p.Y1 - q.Y0 - q.Y1) / 2.0, 2);
                    if (d < best.D)
                    {
                        best = (a, b, d);
                    }
                }
            }

            var (ga, gb) = (groups[best.A], groups[best.B]);
            groups[best.A] = ([.. ga.Labels, .. gb.Labels], (Math.Min(ga.Box.X0, gb.Box.X0), Math.Min(ga.Box.Y0, gb.Box.Y0), Math.Max(ga.Box.X1, gb.Box.X1), Math.Max(ga.Box.Y1, gb.Box.Y1)));
            groups.RemoveAt(best.B);
        }

        return [.. groups.Select(g => g.Labels.ToArray())];
    }

    /// <summary>The piece of <paramref name="set"/> inside the rectangle, shrunk to its obscured pixels; null when it has none.</summary>
    private static Piece? Tight(byte[] obscure, int[] labels, int[] set, int stride, int x0, int y0, int x1, int y1)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                var i = (y * stride) + x;
                if (obscure[i] != 0 && Array.IndexOf(set, labels[i]) >= 0)
                {
                    (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
                }
            }
        }

        return maxX < 0 ? null : new Piece(set, minX, minY, maxX + 1, maxY + 1);
    }

    /// <summary>Splits a piece across its box at the middle, horizontally or vertically, whichever hides fewer kept pixels; null when neither helps.</summary>
    private static Piece[]? Split(Piece piece, byte[] obscure, int[] labels, long[] keptPrefix, int width, int height, int maxPoints, bool rectangles)
    {
        Piece[]? best = null;
        var bestLost = piece.Polygon is null ? long.MaxValue : piece.Lost;
        var (mx, my) = ((piece.X0 + piece.X1) / 2, (piece.Y0 + piece.Y1) / 2);
        var cuts = new List<(int, int, int, int, int, int, int, int)>();
        if (piece.X1 - piece.X0 >= 2)
        {
            cuts.Add((piece.X0, piece.Y0, mx, piece.Y1, mx, piece.Y0, piece.X1, piece.Y1));
        }

        if (piece.Y1 - piece.Y0 >= 2)
        {
            cuts.Add((piece.X0, piece.Y0, piece.X1, my, piece.X0, my, piece.X1, piece.Y1));
        }

        foreach (var (ax0, ay0, ax1, ay1, bx0, by0, bx1, by1) in cuts)
        {
            var halves = new[] { Tight(obscure, labels, piece.Labels, width, ax0, ay0, ax1, ay1), Tight(obscure, labels, piece.Labels, width, bx0, by0, bx1, by1) }.OfType<Piece>().ToArray();
            foreach (var half in halves)
            {
                Evaluate(half, obscure, labels, keptPrefix, width, height, maxPoints, rectangles);
            }

            // A half that still needs too many points counts as hiding everything it spans: splitting it again may fit.
            var lost = halves.Sum(h => h.Polygon is null ? (long)(h.X1 - h.X0) * (h.Y1 - h.Y0) : h.Lost);
            if (halves.Length == 2 && (lost < bestLost || (piece.Polygon is null && best is null)))
            {
                (best, bestLost) = (halves, lost);
            }
        }

        return best;
    }

    /// <summary>The piece's grown, reduced hull and how many kept pixels it hides; no polygon when it needs more than M points.</summary>
    private static void Evaluate(Piece piece, byte[] obscure, int[] labels, long[] keptPrefix, int width, int height, int maxPoints, bool rectangles)
    {
        List<(double X, double Y)> hull;
        if (rectangles)
        {
            hull = [(piece.X0, piece.Y0), (piece.X1, piece.Y0), (piece.X1, piece.Y1), (piece.X0, piece.Y1)];
        }
        else
        {
            var points = new List<(double X, double Y)>();
            for (var y = piece.Y0; y < piece.Y1; y++)
            {
                int min = int.MaxValue, max = -1;
                for (var x = piece.X0; x < piece.X1; x++)
                {
                    var i = (y * width) + x;
                    if (obscure[i] != 0 && Array.IndexOf(piece.Labels, labels[i]) >= 0)
                    {
                        min = Math.Min(min, x);
                        max = x;
                    }
                }

                if (max >= 0)
                {
                    points.AddRange([(min, y), (min, y + 1), (max + 1, y), (max + 1, y + 1)]);
                }
            }

            hull = Reduce(Hull(points), maxPoints, width, height);
        }

        if (hull.Count > maxPoints)
        {
            (piece.Polygon, piece.Lost) = (null, long.MaxValue);
            return;
        }

        piece.Polygon = CameraMaskGeometry.Grow(hull);
        piece.Lost = KeptUnder(piece.Polygon, keptPrefix, width, height);
    }

    /// <summary>Andrew's monotone chain: the convex hull, collinear points dropped.</summary>
    internal static List<(double X, double Y)> Hull(List<(double X, double Y)> points)
    {
        var sorted = points.Distinct().OrderBy(p => p.X).ThenBy(p => p.Y).ToList();
        if (sorted.Count < 3)
        {
            return sorted;
        }

        static double Cross((double X, double Y) o, (double X, double Y) a, (double X, double Y) b) => ((a.X - o.X) * (b.Y - o.Y)) - ((a.Y - o.Y) * (b.X - o.X));
        var hull = new (double X, double Y)[2 * sorted.Count];
        var k = 0;
        foreach (var p in sorted)
        {
            while (k >= 2 && Cross(hull[k - 2], hull[k - 1], p) <= 0)
            {
                k--;
            }

            hull[k++] = p;
        }

        for (int i = sorted.Count - 2, lower = k + 1; i >= 0; i--)
        {
            while (k >= lower && Cross(hull[k - 2], hull[k - 1], sorted[i]) <= 0)
            {
                k--;
            }

            hull[k++] = sorted[i];
        }

        return [.. hull.Take(k - 1)];
    }

    /// <summary>
    /// Cuts corners of a convex polygon outward until it has at most <paramref name="maxPoints"/>: an edge is removed by
    /// extending its two neighbours until they meet (the polygon only grows and stays convex), the edge that adds the
    /// least area first, never past the picture's frame.
    /// </summary>
    internal static List<(double X, double Y)> Reduce(List<(double X, double Y)> polygon, int maxPoints, int width, int height)
    {
        var p = new List<(double X, double Y)>(polygon);
        while (p.Count > maxPoints && p.Count > 3)
        {
            var best = (Index: -1, Area: double.MaxValue, Point: (X: 0.0, Y: 0.0));
            var n = p.Count;
            for (var i = 0; i < n; i++)
            {
                var (a, b, c, d) = (p[(i + n - 1) % n], p[i], p[(i + 1) % n], p[(i + 2) % n]);
                if (Meet(a, b, d, c) is not { } m || m.X < -0.01 || m.Y < -0.01 || m.X > width + 0.01 || m.Y > height + 0.01)
                {
                    continue;
                }

                var area = Math.Abs(((c.X - b.X) * (m.Y - b.Y)) - ((c.Y - b.Y) * (m.X - b.X))) / 2;
                if (area < best.Area)
                {
                    best = (i, area, m);
                }
            }

            if (best.Index < 0)
            {
                break;
            }

            // Edge (i, i+1) becomes the point where edges (i-1, i) and (i+2, i+1) meet.
            var at = best.Index;
            p[at] = best.Point;
            p.RemoveAt((at + 1) % p.Count);
        }

        return p;
    }

    /// <summary>Where the ray from a through b (beyond b) meets the ray from d through c (beyond c); null when they do not.</summary>
    private static (double X, double Y)? Meet((double X, double Y) a, (double X, double Y) b, (double X, double Y) d, (double X, double Y) c)
    {
        var (rx, ry) = (b.X - a.X, b.Y - a.Y);
        var (sx, sy) = (c.X - d.X, c.Y - d.Y);
        var denominator = (rx * sy) - (ry * sx);
        if (Math.Abs(denominator) < 1e-12)
        {
            return null;
        }

        var t = (((c.X - b.X) * sy) - ((c.Y - b.Y) * sx)) / denominator;
        var u = (((c.X - b.X) * ry) - ((c.Y - b.Y) * rx)) / denominator;
        return t < 0 || u < 0 ? null : (b.X + (t * rx), b.Y + (t * ry));
    }

    /// <summary>Per row, how many kept pixels lie left of each x (width + 1 entries a row).</summary>
    private static long[] KeptPrefix(byte[] obscure, int width, int height)
    {
        var prefix = new long[(width + 1) * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                prefix[(y * (width + 1)) + x + 1] = prefix[(y * (width + 1)) + x] + (obscure[(y * width) + x] == 0 ? 1 : 0);
            }
        }

        return prefix;
    }

    /// <summary>Kept pixels whose centres a convex polygon covers.</summary>
    private static long KeptUnder(List<(double X, double Y)> polygon, long[] keptPrefix, int width, int height)
    {
        long lost = 0;
        var top = Math.Max(0, (int)Math.Floor(polygon.Min(p => p.Y)));
        var bottom = Math.Min(height - 1, (int)Math.Ceiling(polygon.Max(p => p.Y)));
        for (var y = top; y <= bottom; y++)
        {
            var cy = y + 0.5;
            double left = double.MaxValue, right = double.MinValue;
            for (var i = 0; i < polygon.Count; i++)
            {
                var (x1, y1) = polygon[i];
                var (x2, y2) = polygon[(i + 1) % polygon.Count];
                if ((y1 <= cy && cy < y2) || (y2 <= cy && cy < y1))
                {
                    var x = x1 + ((cy - y1) * (x2 - x1) / (y2 - y1));
                    (left, right) = (Math.Min(left, x), Math.Max(right, x));
                }
            }

            var from = Math.Max(0, (int)Math.Ceiling(left - 0.5));
            var to = Math.Min(width - 1, (int)Math.Floor(right - 0.5));
            if (to >= from)
            {
                lost += keptPrefix[(y * (width + 1)) + to + 1] - keptPrefix[(y * (width + 1)) + from];
            }
        }

        return lost;
    }
}
