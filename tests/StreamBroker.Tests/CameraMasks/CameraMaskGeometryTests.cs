using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.CameraMasks;
using CameraHub.StreamBroker.Onvif.Media2;

namespace CameraHub.StreamBroker.Tests.CameraMasks;

/// <summary>A profile becomes camera masks that only ever grow the obscured area, within the camera's limits, or is refused.</summary>
public sealed class CameraMaskGeometryTests
{
    private const int Width = 320;
    private const int Height = 180;

    private static OnvifMaskOptions Options(int masks = 8, int points = 16, bool rectangles = false) =>
        new(masks, points, [OnvifMaskTypes.Color], [], false, rectangles, false);

    [Fact]
    public void Privacy_polygons_that_fit_go_as_they_are_grown_by_two_pixels()
    {
        var profile = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[20, 20], [120, 30], [60, 150]]] };
        var obscure = Bitmap((x, y) => Inside(x + 0.5, y + 0.5, [(20, 20), (120, 30), (60, 150)]));

        var plan = CameraMaskGeometry.Plan(profile, obscure, Width, Height, Options(), 0.1);

        Assert.True(plan.Fits, plan.Refusal);
        Assert.Equal("polygons as they are", plan.Method);
        var polygon = Assert.Single(plan.Polygons);
        Assert.Equal(3, polygon.Count);
        AssertCovers(plan, obscure);
        Assert.True(plan.KeptLoss < 0.02, $"{plan.KeptLoss:P1}");
    }

    [Fact]
    public void A_facade_band_becomes_one_convex_polygon_a_side_that_covers_every_obscured_pixel_and_hides_little_of_the_band()
    {
        // Kept: a slanted band; obscured: above and below it (what a façade-distance mask looks like).
        var obscure = Bitmap((x, y) => y < 60 + (x / 8) || y > 100 + (x / 8));

        var plan = CameraMaskGeometry.Plan(new MaskingProfile { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2 }, obscure, Width, Height, Options(), 0.5);

        Assert.True(plan.Fits, plan.Refusal);
        Assert.StartsWith("convex hulls", plan.Method, StringComparison.Ordinal);
        Assert.Equal(2, plan.Polygons.Count); // above and below the band
        Assert.True(plan.KeptLoss < 0.15, $"{plan.KeptLoss:P1}");
        Assert.All(plan.Polygons, p => Assert.True(p.Count <= 16));
        AssertCovers(plan, obscure);
    }

    [Fact]
    public void A_mask_that_cannot_fit_without_hiding_too_much_of_what_is_kept_is_refused_with_the_share()
    {
        var obscure = Bitmap((x, y) => ((x / 20) + (y / 20)) % 2 == 0); // a chequerboard: many small regions

        var plan = CameraMaskGeometry.Plan(new MaskingProfile { Kind = MaskingKind.FacadeDistance }, obscure, Width, Height, Options(masks: 2, points: 4, rectangles: true), 0.1);

        Assert.False(plan.Fits);
        Assert.Contains("%", plan.Refusal, StringComparison.Ordinal);
        Assert.Empty(plan.Polygons);
    }

    private static void AssertCovers(CameraMaskPlan plan, byte[] obscure)
    {
        var pixels = plan.Polygons.Select(p => p.Select(v => v.ToPixel(Width, Height)).ToList()).ToList();
        var covered = CameraMaskGeometry.Rasterise(pixels, Width, Height);
        for (var i = 0; i < obscure.Length; i++)
        {
            Assert.True(obscure[i] == 0 || covered[i], $"obscured pixel {i % Width},{i / Width} is not covered");
        }
    }

    private static byte[] Bitmap(Func<int, int, bool> obscured)
    {
        var bits = new byte[Width * Height];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                bits[(y * Width) + x] = obscured(x, y) ? (byte)1 : (byte)0;
            }
        }

        return bits;
    }

    private static bool Inside(double x, double y, (double X, double Y)[] polygon)
    {
        var inside = false;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            if ((polygon[i].Y > y) != (polygon[j].Y > y)
                && x < ((polygon[j].X - polygon[i].X) * (y - polygon[i].Y) / (polygon[j].Y - polygon[i].Y)) + polygon[i].X)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
