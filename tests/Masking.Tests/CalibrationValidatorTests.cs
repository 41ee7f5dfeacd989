using CameraHub.Masking.Calibration;
using CameraHub.Masking.Samples;

namespace CameraHub.Masking.Tests;

public sealed class CalibrationValidatorTests
{
    private static readonly SyntheticScene Scene = SyntheticScene.SchoolFacade();

    [Fact]
    public void An_exact_calibration_is_accepted_and_reprojects_within_a_hundredth_of_a_pixel()
    {
        var validated = CalibrationValidator.Validate(Scene.Calibration("SKO-001-K01"));

        Assert.All(validated.ReprojectionErrorsPixels, e => Assert.True(e < 0.01, $"error {e} px"));
        var ground = validated.Homography.ToGround(Scene.ToImage(20, -2).X, Scene.ToImage(20, -2).Y);
        Assert.NotNull(ground);
        Assert.Equal(20, ground.Value.X, 2);
        Assert.Equal(-2, ground.Value.Y, 2);
    }

    [Fact]
    public void Fewer_than_four_pairs_are_refused_with_the_count()
    {
        var calibration = Scene.Calibration("SKO-001-K01") is var c ? c with { Points = [.. c.Points.Take(3)] } : null!;

        var error = Assert.Throws<CalibrationRejectedException>(() => CalibrationValidator.Validate(calibration));

        Assert.Contains("At least 4 image↔ground pairs are needed; got 3", error.Message);
    }

    [Fact]
    public void Four_pairs_with_three_on_one_ground_line_are_refused_naming_those_three()
    {
        var c = Scene.Calibration("SKO-001-K01");
        var (x, y) = Scene.ToImage(20, -1);
        // Points 1 and 2 are (17,-1) and (23,-1); a third at (20,-1) is on their line.
        var calibration = c with { Points = [c.Points[0], c.Points[1], new CalibrationPoint(x, y, 20, -1), c.Points[2]] };

        var error = Assert.Throws<CalibrationRejectedException>(() => CalibrationValidator.Validate(calibration));

        var problem = Assert.Single(error.Problems, p => p.Contains("lie on one line in the ground", StringComparison.Ordinal));
        Assert.Contains("point 1 ", problem);
        Assert.Contains("point 2 ", problem);
        Assert.Contains("point 3 ", problem);
    }

    [Fact]
    public void Pairs_all_on_one_line_are_refused()
    {
        var c = Scene.Calibration("SKO-001-K01");
        var points = Enumerable.Range(0, 5).Select(i =>
        {
            var (x, y) = Scene.ToImage(17 + i, -1);
            return new CalibrationPoint(x, y, 17 + i, -1);
        }).ToList();

        var error = Assert.Throws<CalibrationRejectedException>(() => CalibrationValidator.Validate(c with { Points = points }));

        Assert.Contains(error.Problems, p => p.StartsWith("All image points lie on one line", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_swapped_ground_points_make_a_flipped_homography_that_is_refused()
    {
        var c = Scene.Calibration("SKO-001-K01");
        var p = c.Points;
        // Exactly four pairs with the ground points of pairs 2 and 3 swapped: the quadrilateral folds over itself.
        var swapped = new List<CalibrationPoint>
        {
            p[0],
            p[1] with { GroundX = p[3].GroundX, GroundY = p[3].GroundY },
            p[2],
            p[3] with { GroundX = p[1].GroundX, GroundY = p[1].GroundY },
        };

        var error = Assert.Throws<CalibrationRejectedException>(() => CalibrationValidator.Validate(c with { Points = swapped }));

        Assert.Contains(error.Problems, m => m.Contains("flips", StringComparison.Ordinal) || m.Contains("px from where", StringComparison.Ordinal));
    }

    [Fact]
    public void One_mismeasured_pair_among_six_is_named_with_its_reprojection_error()
    {
        var c = Scene.Calibration("SKO-001-K01");
        var points = c.Points.ToList();
        points[4] = points[4] with { GroundX = points[4].GroundX + 1.5 };

        var error = Assert.Throws<CalibrationRejectedException>(() => CalibrationValidator.Validate(c with { Points = points }));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("point 5 (image", problem);
        Assert.Contains("px from where the other pairs put it", problem);
    }

    [Fact]
    public void A_facade_polyline_drawn_the_wrong_way_round_is_refused_with_a_hint_to_reverse_it()
    {
        var c = Scene.Calibration("SKO-001-K01");
        // The south wall from west to east has the building on the left: wrong by our convention.
        var calibration = c with { Facade = [[0, 0], [40, 0]] };

        var error = Assert.Throws<CalibrationRejectedException>(() => CalibrationValidator.Validate(calibration));

        Assert.Contains("façade is on the wrong side", error.Message);
        Assert.Contains("reverse the façade points", error.Message);
        Assert.Contains("point 1 (image", error.Message);
    }

    [Fact]
    public void The_same_facade_polyline_drawn_east_to_west_is_accepted()
    {
        var c = Scene.Calibration("SKO-001-K01");

        var validated = CalibrationValidator.Validate(c with { Facade = [[40, 0], [0, 0]] });

        Assert.True(validated.Zone.IsKept(20, -1.5));
        Assert.False(validated.Zone.IsKept(20, -2.5));
        Assert.False(validated.Zone.IsKept(20, 1));
    }

    [Fact]
    public void An_image_point_outside_the_stated_image_size_is_refused()
    {
        var c = Scene.Calibration("SKO-001-K01");

        var error = Assert.Throws<CalibrationRejectedException>(() => CalibrationValidator.Validate(c with { ImageWidth = 320, ImageHeight = 240 }));

        Assert.Contains("lies outside the 320×240 image", error.Message);
    }
}
