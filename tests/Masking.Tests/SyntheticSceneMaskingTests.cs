using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;
using CameraHub.Masking.Samples;
using OpenCvSharp;

namespace CameraHub.Masking.Tests;

/// <summary>The acceptance geometry: a rendered ground grid with markers 1.5 m and 2.5 m from the façade.</summary>
public sealed class SyntheticSceneMaskingTests : IDisposable
{
    private readonly SyntheticScene _scene = SyntheticScene.SchoolFacade();
    private readonly ValidatedCalibration _calibration;
    private readonly PrivacyMask _mask;

    public SyntheticSceneMaskingTests()
    {
        _calibration = CalibrationValidator.Validate(_scene.Calibration("SKO-001-K01"));
        _mask = FacadeDistanceMask.Build(_calibration);
    }

    [Fact]
    public void Kept_pixels_are_exactly_those_whose_ground_point_is_outside_the_building_within_two_metres()
    {
        var truth = FacadeZone.Create(SyntheticScene.SchoolOutline, isOutline: true, 2.0);
        _mask.Keep.GetArray(out byte[] keep);
        var wrong = 0;
        for (var y = 0; y < _scene.Height; y += 3)
        {
            for (var x = 0; x < _scene.Width; x += 3)
            {
                var ground = _calibration.Homography.ToGround(x, y);
                var distance = ground is { } p ? truth.DistanceToFacade(p.X, p.Y) : double.PositiveInfinity;
                if (Math.Abs(distance - 2.0) < 0.02 || distance < 0.02)
                {
                    continue; // on a boundary the calibration's rounding to 1/1000 px may tip either way
                }

                var expected = ground is { } g && !truth.IsInsideBuilding(g.X, g.Y, 0) && distance <= 2.0;
                if (expected != (keep[(y * _scene.Width) + x] == PrivacyMask.Kept))
                {
                    wrong++;
                }
            }
        }

        Assert.Equal(0, wrong);
        Assert.InRange(_mask.KeptPixels, _scene.Width * 20, _scene.Width * 80);
    }

    [Fact]
    public void Sky_above_the_horizon_and_the_ground_inside_the_building_are_obscured()
    {
        // The horizon of a camera 15° down with focal length 400 px lies 400·tan 15° ≈ 107 px above the centre row.
        using var sky = _mask.Keep.RowRange(0, 133);
        var (insideX, insideY) = _scene.ToImage(20, 10);
        var (nearX, nearY) = _scene.ToImage(20, -1);

        Assert.Equal(0, Cv2.CountNonZero(sky));
        Assert.Equal(PrivacyMask.Obscured, _mask.Keep.At<byte>((int)insideY, (int)insideX));
        Assert.Equal(PrivacyMask.Kept, _mask.Keep.At<byte>((int)nearY, (int)nearX));
    }

    [Fact]
    public void Every_pixel_of_the_keep_zone_is_bit_identical_after_anonymising()
    {
        using var original = _scene.Render();
        using var frame = original.Clone();
        using var anonymiser = new FrameAnonymiser(_mask, people: null, ObscureStyle.Pixelate);

        anonymiser.Apply(frame);

        using var diff = new Mat();
        Cv2.Absdiff(original, frame, diff);
        using var grey = diff.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var changedInKeep = new Mat();
        Cv2.BitwiseAnd(grey, _mask.Keep, changedInKeep);
        Assert.Equal(0, Cv2.CountNonZero(changedInKeep));
    }

    [Fact]
    public void On_planar_420_frames_as_ffmpeg_decodes_them_kept_luma_is_bit_identical_and_obscured_luma_is_replaced()
    {
        using var bgr = _scene.Render();
        using var i420 = bgr.CvtColor(ColorConversionCodes.BGR2YUV_I420);
        i420.GetArray(out byte[] bytes);
        var original = (byte[])bytes.Clone();
        var (w, h) = (_scene.Width, _scene.Height);
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(bytes, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            var at = handle.AddrOfPinnedObject();
            using var y = Mat.FromPixelData(h, w, MatType.CV_8UC1, at);
            using var u = Mat.FromPixelData(h / 2, w / 2, MatType.CV_8UC1, at + (w * h));
            using var v = Mat.FromPixelData(h / 2, w / 2, MatType.CV_8UC1, at + (w * h) + (w * h / 4));
            using var anonymiser = new FrameAnonymiser(_mask, people: null, ObscureStyle.Pixelate);

            anonymiser.ApplyI420(y, u, v);
        }
        finally
        {
            handle.Free();
        }

        _mask.Keep.GetArray(out byte[] keep);
        int keptChanged = 0, obscured = 0, obscuredSame = 0;
        for (var i = 0; i < w * h; i++)
        {
            if (keep[i] == PrivacyMask.Kept)
            {
                keptChanged += bytes[i] != original[i] ? 1 : 0;
            }
            else
            {
                obscured++;
                obscuredSame += bytes[i] == original[i] ? 1 : 0;
            }
        }

        Assert.Equal(0, keptChanged);
        Assert.True(obscuredSame < obscured / 20, $"{obscuredSame} of {obscured} obscured luma samples unchanged");
    }

    [Theory]
    [InlineData(ObscureStyle.Pixelate)]
    [InlineData(ObscureStyle.SolidFill)]
    public void Outside_the_keep_zone_no_original_pixel_survives_beyond_chance(ObscureStyle style)
    {
        using var original = _scene.Render();
        using var frame = original.Clone();
        using var anonymiser = new FrameAnonymiser(_mask, people: null, style);

        anonymiser.Apply(frame);

        original.GetArray(out Vec3b[] before);
        frame.GetArray(out Vec3b[] after);
        _mask.Keep.GetArray(out byte[] keep);
        var obscured = 0;
        var unchanged = 0;
        for (var i = 0; i < keep.Length; i++)
        {
            if (keep[i] == PrivacyMask.Obscured)
            {
                obscured++;
                unchanged += before[i] == after[i] ? 1 : 0;
            }
        }

        // Every pixel carries ±20 levels of independent noise per channel, so a block mean equals a pixel only by chance (≈ 1 in 70 000).
        Assert.True(unchanged < obscured / 1000, $"{unchanged} of {obscured} obscured pixels kept their value");
    }

    [Fact]
    public void Pixelated_blocks_are_flat_so_no_structure_finer_than_a_block_remains()
    {
        using var frame = _scene.Render();
        using var anonymiser = new FrameAnonymiser(_mask, people: null, ObscureStyle.Pixelate);
        anonymiser.Apply(frame);

        // Sky and building ground: wholly obscured rows; each block-sized tile there has one colour.
        var block = anonymiser.BlockSize;
        using var sky = frame[new Rect(0, 0, _scene.Width, block * 4)];
        Assert.Equal(16, block);
        for (var by = 0; by < 4; by++)
        {
            for (var bx = 0; bx < _scene.Width / block; bx++)
            {
                using var tile = sky[new Rect(bx * block, by * block, block, block)];
                Cv2.MeanStdDev(tile, out _, out var stddev);
                Assert.True(stddev.Val0 + stddev.Val1 + stddev.Val2 < 1.0, $"tile {bx},{by} is not flat");
            }
        }
    }

    [Fact]
    public void Markers_at_one_and_a_half_metres_stay_findable_and_markers_at_two_and_a_half_metres_are_not()
    {
        using var original = _scene.Render();
        using var frame = original.Clone();
        using var anonymiser = new FrameAnonymiser(_mask, people: null, ObscureStyle.Pixelate);
        anonymiser.Apply(frame);

        foreach (var marker in _scene.Markers)
        {
            using var template = original[marker.ImageBounds].Clone();
            using var result = new Mat();
            Cv2.MatchTemplate(frame, template, result, TemplateMatchModes.CCoeffNormed);
            Cv2.MinMaxLoc(result, out _, out double best, out _, out Point where);
            var found = best > 0.8 && Math.Abs(where.X - marker.ImageBounds.X) <= 2 && Math.Abs(where.Y - marker.ImageBounds.Y) <= 2;
            if (marker.DistanceFromFacadeMetres < 2.0)
            {
                Assert.True(found && best > 0.999, $"{marker.Name} should be intact, best match {best:0.000} at {where}");
            }
            else
            {
                Assert.True(best < 0.6, $"{marker.Name} is still recognisable: match {best:0.000} at {where}");
            }
        }
    }

    [Fact]
    public void The_mask_hash_is_stable_and_changes_when_the_keep_distance_changes()
    {
        using var again = FacadeDistanceMask.Build(CalibrationValidator.Validate(_scene.Calibration("SKO-001-K01")));
        using var wider = FacadeDistanceMask.Build(CalibrationValidator.Validate(_scene.Calibration("SKO-001-K01", 3.0)));

        Assert.Equal(_mask.Sha256, again.Sha256);
        Assert.Matches("^[0-9a-f]{64}$", _mask.Sha256);
        Assert.NotEqual(_mask.Sha256, wider.Sha256);
        Assert.True(wider.KeptPixels > _mask.KeptPixels);
    }

    [Fact]
    public void A_calibration_cannot_widen_the_keep_distance_the_cameras_profile_allows()
    {
        using var cache = new MaskCache();
        var profile = new CameraHub.CameraRegistry.Cameras.MaskingProfile { Kind = CameraHub.CameraRegistry.Cameras.MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 };

        var plan = MaskingPlan.For(profile, _scene.Calibration("SKO-001-K01", keepDistanceMetres: 3.0), cache, _scene.Width, _scene.Height);

        Assert.Equal(_mask.Sha256, plan.Mask.Sha256);
    }

    [Fact]
    public void The_cache_computes_a_mask_once_per_calibration()
    {
        using var cache = new MaskCache();

        var first = cache.Get(_calibration);
        var second = cache.Get(CalibrationValidator.Validate(_scene.Calibration("SKO-001-K99")));

        Assert.Same(first, second);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void The_cache_keeps_the_most_recently_used_masks_and_an_evicted_mask_stays_usable()
    {
        using var cache = new MaskCache(capacity: 2);

        var oldest = cache.Uniform(keep: false, 64, 48);
        var kept = cache.Uniform(keep: false, 32, 24);
        Assert.Same(oldest, cache.Uniform(keep: false, 64, 48)); // used again: now the newest
        var newest = cache.Uniform(keep: true, 16, 12);

        Assert.Equal(2, cache.Count);
        Assert.Same(oldest, cache.Uniform(keep: false, 64, 48));
        Assert.Same(newest, cache.Uniform(keep: true, 16, 12));
        Assert.NotSame(kept, cache.Uniform(keep: false, 32, 24)); // it was the least recently used, so it was rebuilt
        // Whoever still held the evicted mask can go on using it: eviction never disposes.
        Assert.Equal((32, 24, 0), (kept.Width, kept.Height, kept.KeptPixels));
        Assert.False(kept.Keep.IsDisposed);
    }

    [Fact]
    public void Privacy_polygons_obscure_only_their_inside()
    {
        using var mask = PrivacyPolygonMask.Build([[[100, 100], [300, 100], [300, 200], [100, 200]]], 640, 480);
        using var original = _scene.Render();
        using var frame = original.Clone();
        using var anonymiser = new FrameAnonymiser(mask, people: null, ObscureStyle.SolidFill);

        anonymiser.Apply(frame);

        Assert.Equal((640 * 480) - (201 * 101), mask.KeptPixels);
        Assert.Equal(new Vec3b(128, 128, 128), frame.At<Vec3b>(150, 200));
        Assert.Equal(original.At<Vec3b>(50, 50), frame.At<Vec3b>(50, 50));
        Assert.Equal(original.At<Vec3b>(250, 400), frame.At<Vec3b>(250, 400));
    }

    public void Dispose() => _mask.Dispose();
}
