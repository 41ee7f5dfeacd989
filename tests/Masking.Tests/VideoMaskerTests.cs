using System.Globalization;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Files;
using CameraHub.Masking.Masks;
using CameraHub.Masking.Samples;
using CameraHub.Tests.Shared;
using OpenCvSharp;

namespace CameraHub.Masking.Tests;

/// <summary>Whole files through real ffmpeg: decode → mask → H.264 MP4, judged by ffprobe.</summary>
[Trait("Category", "Integration")]
public sealed class VideoMaskerTests : IDisposable
{
    private static readonly MaskingProfile Facade = new() { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 };
    private readonly TempFolder _folder = new();
    private readonly MaskCache _cache = new();
    // A cheap detector setting keeps these runs short; the person stage itself is judged in PersonStageTests.
    private readonly VideoMasker _masker = new(options: new VideoMaskerOptions { Preset = "ultrafast", People = new PersonStageOptions { DetectionWidth = 480, PyramidScale = 1.2 } });

    [Fact]
    public async Task A_masked_file_is_valid_h264_mp4_with_the_inputs_size_frame_rate_duration_and_frame_count_and_no_audio()
    {
        var input = await TestClipAsync(seconds: 2, withAudio: true);
        var output = _folder.File("masked.mp4");
        var calibration = SyntheticScene.SchoolFacade().Calibration("SKO-001-K01");

        var result = await _masker.MaskFileAsync(input, output, info => MaskingPlan.For(Facade, calibration, _cache, info.Width, info.Height), CancellationToken.None);

        var probe = await ProbeAsync(output);
        var video = probe.RootElement.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal("h264", video.GetProperty("codec_name").GetString());
        Assert.Equal(640, video.GetProperty("width").GetInt32());
        Assert.Equal(480, video.GetProperty("height").GetInt32());
        Assert.Equal("25/1", video.GetProperty("r_frame_rate").GetString());
        Assert.Equal("50", video.GetProperty("nb_read_frames").GetString());
        Assert.Equal(50, result.Frames);
        Assert.Equal(2.0, double.Parse(probe.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture), 1);
        Assert.DoesNotContain(probe.RootElement.GetProperty("streams").EnumerateArray(), s => s.GetProperty("codec_type").GetString() == "audio");
        Assert.Matches("^[0-9a-f]{64}$", result.MaskSha256);
    }

    [Fact]
    public async Task Audio_stays_when_the_profile_allows_it()
    {
        var input = await TestClipAsync(seconds: 1, withAudio: true);
        var output = _folder.File("with-audio.mp4");
        var profile = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [100, 0], [100, 100]]], AllowAudio = true };

        await _masker.MaskFileAsync(input, output, info => MaskingPlan.For(profile, null, _cache, info.Width, info.Height), CancellationToken.None);

        var probe = await ProbeAsync(output);
        Assert.Contains(probe.RootElement.GetProperty("streams").EnumerateArray(), s => s.GetProperty("codec_type").GetString() == "audio");
    }

    [Fact]
    public async Task After_encoding_markers_inside_two_metres_are_still_found_and_markers_outside_are_not()
    {
        var scene = SyntheticScene.SchoolFacade();
        var input = _folder.File("scene.mkv");
        // The synthetic scene as a lossless clip, so differences come from our pipeline alone.
        await EncodeFramesAsync(input, [.. Enumerable.Range(0, 5).Select(scene.Render)]);
        var output = _folder.File("scene-masked.mp4");
        var calibration = scene.Calibration("SKO-001-K01");

        await _masker.MaskFileAsync(input, output, info => MaskingPlan.For(Facade, calibration, _cache, info.Width, info.Height), CancellationToken.None);

        var png = _folder.File("first.png");
        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-i", output, "-frames:v", "1", png);
        using var masked = Cv2.ImRead(png);
        using var original = scene.Render(0);
        foreach (var marker in scene.Markers)
        {
            using var template = original[marker.ImageBounds].Clone();
            using var match = new Mat();
            Cv2.MatchTemplate(masked, template, match, TemplateMatchModes.CCoeffNormed);
            Cv2.MinMaxLoc(match, out _, out double best, out _, out Point _);
            if (marker.DistanceFromFacadeMetres < 2)
            {
                Assert.True(best > 0.8, $"{marker.Name} (kept) matches only {best:0.00} after encoding");
            }
            else
            {
                Assert.True(best < 0.6, $"{marker.Name} (obscured) still matches {best:0.00} after encoding");
            }
        }
    }

    [Fact]
    public async Task A_calibration_for_a_picture_of_other_proportions_is_refused_before_anything_is_written()
    {
        var input = await TestClipAsync(seconds: 1, withAudio: false, size: "320x180");
        var output = _folder.File("never.mp4");
        var calibration = SyntheticScene.SchoolFacade().Calibration("SKO-001-K01");

        var error = await Assert.ThrowsAsync<CalibrationRejectedException>(() =>
            _masker.MaskFileAsync(input, output, info => MaskingPlan.For(Facade, calibration, _cache, info.Width, info.Height), CancellationToken.None));

        Assert.Contains("measured on 640×480 images but the footage is 320×180, a different aspect ratio", error.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_sub_stream_of_the_calibrated_picture_gets_the_same_mask_at_its_own_size()
    {
        var calibration = SyntheticScene.SchoolFacade().Calibration("SKO-001-K01");
        var full = MaskingPlan.For(Facade, calibration, _cache, 640, 480).Mask;
        var half = MaskingPlan.For(Facade, calibration, _cache, 320, 240).Mask;

        Assert.Equal((320, 240), (half.Width, half.Height));
        using var shrunk = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.Resize(full.Keep, shrunk, new OpenCvSharp.Size(320, 240), interpolation: OpenCvSharp.InterpolationFlags.Nearest);
        using var differ = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.Compare(shrunk, half.Keep, differ, OpenCvSharp.CmpTypes.NE);
        var disagreement = OpenCvSharp.Cv2.CountNonZero(differ) / (320.0 * 240);
        Assert.True(disagreement < 0.02, $"the half-size mask differs from the scaled full mask on {disagreement:P1} of the pixels");
        Assert.InRange(half.KeptPixels, 1, (320 * 240) - 1);
    }

    [Fact]
    public async Task A_cancelled_masking_leaves_no_half_written_file_and_no_ffmpeg_behind()
    {
        var input = await TestClipAsync(seconds: 10, withAudio: false);
        var output = _folder.File("cancelled.mp4");
        var calibration = SyntheticScene.SchoolFacade().Calibration("SKO-001-K01");
        using var cancel = new CancellationTokenSource();
        var masking = _masker.MaskFileAsync(input, output, info =>
        {
            cancel.CancelAfter(TimeSpan.FromMilliseconds(500));
            return MaskingPlan.For(Facade, calibration, _cache, info.Width, info.Height);
        }, cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => masking);
        Assert.False(File.Exists(output));
        // Other tests run ffmpeg in this process at the same time: look for ours (decoder and encoder) by their files.
        Assert.Equal(0, CountFfmpegChildrenReading(input, Path.GetFileNameWithoutExtension(output)));
    }

    [Fact]
    public async Task A_facade_camera_without_calibration_has_every_frame_obscured()
    {
        var input = await TestClipAsync(seconds: 1, withAudio: false);
        var output = _folder.File("all-obscured.mp4");

        var result = await _masker.MaskFileAsync(input, output, info => MaskingPlan.For(Facade, null, _cache, info.Width, info.Height), CancellationToken.None);

        Assert.Equal(result.Frames, result.FramesObscuredEntirely);
        Assert.NotNull(result.FailClosedReason);
        var png = _folder.File("frame.png");
        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-i", output, "-frames:v", "1", png);
        using var frame = Cv2.ImRead(png);
        using var tile = frame[new Rect(100, 100, 14, 14)];
        Cv2.MeanStdDev(tile, out _, out var stddev);
        Assert.True(stddev.Val0 < 3, "a block inside a fully obscured frame still has detail");
    }

    [Fact]
    public async Task People_on_real_footage_beyond_the_line_are_obscured_in_the_masked_file()
    {
        var clip = _folder.File("vtest-100.mkv");
        // Frames 95–104 of vtest.avi, losslessly, so frame 5 of the clip is the hand-labelled frame 100.
        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-i", TestMedia.Vtest(_folder), "-vf", "select=between(n\\,95\\,104),setpts=N/10/TB", "-r", "10", "-c:v", "ffv1", clip);
        var output = _folder.File("vtest-masked.mp4");
        // HOG's verdict on the hand-labelled people: in a clip of ten frames the moving-foreground detector has no
        // background to compare with yet (five frames in, people's earlier places still count as moving, and those blobs
        // reach C), so it is switched off here; it only ever obscures more (PersonScheduleTests, the labelled set).
        var masker = new VideoMasker(options: new VideoMaskerOptions { Preset = "ultrafast", People = new PersonStageOptions { MaxScale = 1.5, PyramidScale = 1.1, MovingForeground = false } });

        var result = await masker.MaskFileAsync(clip, output, info => MaskingPlan.For(Facade, TestMedia.VtestCalibration(), _cache, info.Width, info.Height), CancellationToken.None);

        Assert.Equal(10, result.Frames);
        Assert.True(result.PeopleObscured >= 10, $"only {result.PeopleObscured} people obscured over 10 frames");
        var before = _folder.File("before.png");
        var after = _folder.File("after.png");
        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-i", clip, "-vf", "select=eq(n\\,5)", "-frames:v", "1", before);
        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-i", output, "-vf", "select=eq(n\\,5)", "-frames:v", "1", after);
        using var original = Cv2.ImRead(before);
        using var masked = Cv2.ImRead(after);
        Assert.True(MeanDifference(original, masked, new Rect(354, 200, 16, 12)) > 15, "A's head (feet 4 m out) is visible over the kept band");
        Assert.True(MeanDifference(original, masked, new Rect(500, 195, 15, 20)) < 8, "C's legs (feet 1.45 m out) were obscured");
    }

    private static int CountFfmpegChildrenReading(params string[] files)
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return Directory.EnumerateDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Count(d =>
            {
                try
                {
                    var status = File.ReadAllLines(Path.Combine(d, "status"));
                    return status.Any(l => l == "Name:\tffmpeg") && status.Any(l => l == "PPid:\t" + self)
                        && File.ReadAllText(Path.Combine(d, "cmdline")) is var command && files.Any(f => command.Contains(f, StringComparison.Ordinal));
                }
                catch (IOException)
                {
                    return false;
                }
            });
    }

    private async Task<string> TestClipAsync(int seconds, bool withAudio, string size = "640x480")
    {
        var path = _folder.File($"clip-{size}-{seconds}-{withAudio}.mp4");
        var args = new List<string> { "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={size}:rate=25:duration={seconds}" };
        if (withAudio)
        {
            args.AddRange(["-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds}", "-c:a", "aac"]);
        }

        args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path]);
        await Tool.OutputOfAsync("ffmpeg", [.. args]);
        return path;
    }

    private async Task EncodeFramesAsync(string path, Mat[] frames)
    {
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i].ImWrite(_folder.File($"src{i:000}.png"));
            frames[i].Dispose();
        }

        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-framerate", "25", "-i", _folder.File("src%03d.png"), "-c:v", "ffv1", "-pix_fmt", "bgr0", path);
    }

    private static async Task<JsonDocument> ProbeAsync(string path) =>
        JsonDocument.Parse(await Tool.OutputOfAsync("ffprobe", "-v", "error", "-count_frames", "-show_entries",
            "stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_frames:format=duration", "-of", "json", path));

    private static double MeanDifference(Mat a, Mat b, Rect region)
    {
        using var ra = a[region];
        using var rb = b[region];
        using var diff = new Mat();
        Cv2.Absdiff(ra, rb, diff);
        var mean = Cv2.Mean(diff);
        return (mean.Val0 + mean.Val1 + mean.Val2) / 3;
    }

    public void Dispose()
    {
        _cache.Dispose();
        _folder.Dispose();
    }
}
