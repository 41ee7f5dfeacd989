using System.Globalization;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;
using CameraHub.StreamBroker.CameraMasks;
using CameraHub.StreamBroker.Onvif.Media2;
using CameraHub.Tests.Masking;
using OpenCvSharp;

namespace CameraHub.Tests.CameraMasks;

/// <summary>
/// The façade mask on the camera (issue #14): the sample school calibrations' obscured area becomes at most N polygons of
/// at most M points (the camera's <c>GetMaskOptions</c> limits) whose union covers every obscured pixel, in ONVIF's
/// normalised window; the share of the kept band they hide too is reported, and the plan is refused above the limit.
/// </summary>
public sealed class FacadeCameraMaskGeometryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly MaskingProfile Facade = new() { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 };

    public static TheoryData<string, int, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int, int>();
        foreach (var camera in new[] { "SKO-001-K01", "SKO-001-K02", "SKO-001-K03" })
        {
            foreach (var (w, h) in new[] { (1280, 720), (1920, 1080) })
            {
                data.Add(camera, w, h, 4, 16);
                data.Add(camera, w, h, 8, 32);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_sample_facade_mask_becomes_camera_polygons_within_the_limits_that_cover_every_obscured_pixel(string camera, int width, int height, int maxMasks, int maxPoints)
    {
        var obscure = Obscure(camera, width, height);

        var plan = CameraMaskGeometry.Plan(Facade, obscure, width, height, new OnvifMaskOptions(maxMasks, maxPoints, [OnvifMaskTypes.Color], [], false, false, false), 0.10);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{camera} {width}×{height}, {maxMasks}×{maxPoints}: {plan.Method}, {plan.Polygons.Count} masks of {string.Join('/', plan.Polygons.Select(p => p.Count))} points, hides {plan.KeptLoss:P2} of the kept band{(plan.Fits ? "" : $"; refused: {plan.Refusal}")}"));
        Assert.True(plan.Fits, plan.Refusal);
        Assert.InRange(plan.Polygons.Count, 1, maxMasks);
        Assert.All(plan.Polygons, p => Assert.InRange(p.Count, 3, maxPoints));
        Assert.All(plan.Polygons.SelectMany(p => p), v => Assert.True(v.X is >= -1 and <= 1 && v.Y is >= -1 and <= 1, $"{v} outside the window"));
        var covered = CameraMaskGeometry.Rasterise(plan.Polygons.Select(p => p.Select(v => v.ToPixel(width, height)).ToList()), width, height);
        var uncovered = Enumerable.Range(0, obscure.Length).Count(i => obscure[i] != 0 && !covered[i]);
        Assert.Equal(0, uncovered);
        Assert.True(plan.KeptLoss <= 0.10);
    }

    [Fact]
    public void The_thin_band_of_a_small_stream_is_refused_when_the_grown_polygons_would_hide_more_than_the_limit()
    {
        // At 640×360 the band along SKO-001-K01 is a few pixels wide: the 2 px the polygons are grown by hide 12 % of it.
        var obscure = Obscure("SKO-001-K01", 640, 360);

        var plan = CameraMaskGeometry.Plan(Facade, obscure, 640, 360, new OnvifMaskOptions(8, 32, [OnvifMaskTypes.Color], [], false, false, false), 0.10);

        output.WriteLine($"640×360: {plan.Refusal}");
        Assert.False(plan.Fits);
        Assert.Contains("of what the profile keeps", plan.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_facade_mask_that_cannot_be_held_within_tight_limits_is_refused_with_the_share_it_would_hide()
    {
        var obscure = Obscure("SKO-001-K01", 640, 360);

        // One rectangle for everything obscured: the whole picture, the band included.
        var plan = CameraMaskGeometry.Plan(Facade, obscure, 640, 360, new OnvifMaskOptions(1, 4, [OnvifMaskTypes.Color], [], false, true, false), 0.10);

        output.WriteLine($"1 rectangle: {plan.Refusal}");
        Assert.False(plan.Fits);
        Assert.Contains("of what the profile keeps", plan.Refusal, StringComparison.Ordinal);
    }

    /// <summary>The sample calibration's obscure bitmap at <paramref name="width"/>×<paramref name="height"/>, 1 where obscured (a pixel is obscured when any source pixel under it is).</summary>
    internal static byte[] Obscure(string camera, int width, int height)
    {
        var path = Path.Combine(Path.GetDirectoryName(MaskedPathsHub.SampleCalibration())!, $"{camera}.json");
        var calibration = JsonSerializer.Deserialize<CameraCalibration>(File.ReadAllText(path), JsonSerializerOptions.Web)!;
        using var mask = FacadeDistanceMask.Build(CalibrationValidator.Validate(calibration));
        using var scaled = new Mat();
        // Area averaging then "anything obscured": a conservative downscale, as the hub's own mask is for a smaller stream.
        Cv2.Resize(mask.Obscure, scaled, new Size(width, height), interpolation: InterpolationFlags.Area);
        scaled.GetArray(out byte[] values);
        return [.. values.Select(v => v > 0 ? (byte)1 : (byte)0)];
    }
}
