using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Cli;
using CameraHub.Masking.Samples;
using CameraHub.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace CameraHub.Masking.Tests;

/// <summary>What an owner and the DPO see over HTTP: storing a calibration, the mask, the preview; and the CLI verb.</summary>
[Trait("Category", "Integration")]
public sealed class MaskEndpointTests : IAsyncLifetime
{
    private MaskingHost _host = null!;

    public async Task InitializeAsync() => _host = await MaskingHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_stored_calibration_reports_its_reprojection_error_and_serves_its_mask_as_png_with_the_hash()
    {
        var put = await _host.Client.PutAsJsonAsync("/api/cameras/SKO-001-K01/calibration", SampleBody("SKO-001-K01"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var view = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(view.GetProperty("rmsReprojectionErrorPixels").GetDouble() < 0.05);
        var sha = view.GetProperty("maskSha256").GetString();

        var get = await _host.Client.GetFromJsonAsync<JsonElement>("/api/cameras/SKO-001-K01/calibration");
        Assert.Equal(6, get.GetProperty("points").GetArrayLength());
        Assert.Equal(sha, get.GetProperty("maskSha256").GetString());

        var mask = await _host.Client.GetAsync("/api/cameras/SKO-001-K01/mask.png");
        Assert.Equal("image/png", mask.Content.Headers.ContentType!.MediaType);
        Assert.Equal(sha, Assert.Single(mask.Headers.GetValues("X-Mask-Sha256")));
        using var png = Cv2.ImDecode(await mask.Content.ReadAsByteArrayAsync(), ImreadModes.Grayscale);
        Assert.Equal(new Size(1920, 1080), png.Size());
        Assert.Equal(view.GetProperty("keptPixels").GetInt32(), Cv2.CountNonZero(png));
    }

    [Fact]
    public async Task A_degenerate_calibration_is_refused_with_the_points_named_and_nothing_is_stored()
    {
        var body = SampleBody("SKO-001-K02");
        var collinear = body with { Points = [.. Enumerable.Range(0, 4).Select(i => new CalibrationPoint(100 + (100 * i), 500, i, -1))] };

        var put = await _host.Client.PutAsJsonAsync("/api/cameras/SKO-001-K02/calibration", collinear);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType!.MediaType);
        var problem = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("point 1 (image 100,500", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("problems").GetArrayLength() >= 1);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("/api/cameras/SKO-001-K02/calibration")).StatusCode);
    }

    [Fact]
    public async Task A_traffic_cameras_privacy_polygon_is_black_in_its_mask_and_the_rest_white()
    {
        // TRF-004's profile obscures the polygon 0,480 1280,480 1280,720 0,720 (the pavement below the road).
        var response = await _host.Client.GetAsync("/api/cameras/TRF-004/mask.png?width=1280&height=720");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var png = Cv2.ImDecode(await response.Content.ReadAsByteArrayAsync(), ImreadModes.Grayscale);
        Assert.Equal(new Size(1280, 720), png.Size());
        Assert.Equal(255, png.At<byte>(100, 640));
        Assert.Equal(0, png.At<byte>(600, 640));
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Client.GetAsync("/api/cameras/TRF-004/mask.png")).StatusCode);
    }

    [Fact]
    public async Task A_facade_camera_without_calibration_has_no_mask_and_says_its_footage_is_obscured_entirely()
    {
        var response = await _host.Client.GetAsync("/api/cameras/SKO-001-K03/mask.png");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("obscured entirely", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_supplied_frame_comes_back_with_the_obscured_zone_pixelated_and_tinted_the_kept_zone_untouched_and_the_view_audited()
    {
        await _host.Client.PutAsJsonAsync("/api/cameras/SKO-001-K01/calibration", SampleBody("SKO-001-K01"));
        var scene = SyntheticScene.SchoolFacade(1920, 1080);
        using var frame = scene.Render();

        var response = await _host.Client.PostAsync("/api/cameras/SKO-001-K01/mask-preview.png", new ByteArrayContent(frame.ImEncode(".png")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var preview = Cv2.ImDecode(await response.Content.ReadAsByteArrayAsync(), ImreadModes.Color);
        var (keptX, keptY) = scene.ToImage(20, -1);
        var (skyX, skyY) = (960, 50);
        Assert.Equal(frame.At<Vec3b>((int)keptY, (int)keptX), preview.At<Vec3b>((int)keptY, (int)keptX));
        var before = frame.At<Vec3b>(skyY, skyX);
        var after = preview.At<Vec3b>(skyY, skyX);
        Assert.True(after.Item2 > before.Item2 - 5 && after.Item0 < before.Item0 - 50, $"sky not tinted red: {before} → {after}");

        // Obscured, not just tinted: the 48-px block around the sky point is one flat colour, where the frame's pixels all differ.
        var block = 48; // Pixelator.BlockSizeFor(1920)
        var (bx, by) = (skyX / block * block, skyY / block * block);
        var colours = new HashSet<Vec3b>();
        var original = new HashSet<Vec3b>();
        for (var y = by; y < by + block; y++)
        {
            for (var x = bx; x < bx + block; x++)
            {
                colours.Add(preview.At<Vec3b>(y, x));
                original.Add(frame.At<Vec3b>(y, x));
            }
        }

        Assert.Single(colours);
        Assert.True(original.Count > 100, $"the synthetic frame has only {original.Count} colours in the block");
        Assert.Contains("MaskViewed", await AuditTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_preview_of_a_frame_of_another_size_is_refused_with_both_sizes()
    {
        await _host.Client.PutAsJsonAsync("/api/cameras/SKO-001-K01/calibration", SampleBody("SKO-001-K01"));
        using var small = SyntheticScene.SchoolFacade().Render();

        var response = await _host.Client.PostAsync("/api/cameras/SKO-001-K01/mask-preview.png", new ByteArrayContent(small.ImEncode(".png")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("measured on 1920×1080 images but the footage is 640×480", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_snapshot_preview_of_a_recorded_only_school_camera_is_refused_like_live_viewing_offers_the_upload_and_is_audited()
    {
        await _host.Client.PutAsJsonAsync("/api/cameras/SKO-001-K01/calibration", SampleBody("SKO-001-K01"));

        var response = await _host.Client.GetAsync("/api/cameras/SKO-001-K01/mask-preview.png");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var detail = await response.Content.ReadAsStringAsync();
        Assert.Contains("RecordedOnly", detail, StringComparison.Ordinal);
        Assert.Contains("POST a frame", detail, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", await AuditTextAsync(), StringComparison.Ordinal);
    }

    /// <summary>Every audit entry's action and details, one a line.</summary>
    private async Task<string> AuditTextAsync()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CameraRegistry.Persistence.AccessDbContext>();
        return string.Join('\n', (await db.AuditEntries.AsNoTracking().ToListAsync()).Select(e => $"{e.Action} {e.Details}"));
    }

    [Fact]
    public async Task The_sample_loader_stores_the_three_sample_school_calibrations_once()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var loader = scope.ServiceProvider.GetRequiredService<MaskingSampleLoader>();

        Assert.Equal(3, await loader.LoadIfEmptyAsync(MaskingHost.SampleCity, CancellationToken.None));
        Assert.Equal(0, await loader.LoadIfEmptyAsync(MaskingHost.SampleCity, CancellationToken.None));
        foreach (var id in new[] { "SKO-001-K01", "SKO-001-K02", "SKO-001-K03" })
        {
            var view = await _host.Client.GetFromJsonAsync<JsonElement>($"/api/cameras/{id}/calibration");
            Assert.True(view.GetProperty("keptPixels").GetInt32() > 10_000, $"{id} keeps almost nothing");
        }
    }

    [Fact]
    public async Task The_mask_verb_masks_a_file_with_the_cameras_profile_and_exits_zero()
    {
        await _host.Client.PutAsJsonAsync("/api/cameras/SKO-001-K01/calibration", SampleBody("SKO-001-K01") with { ImageWidth = 1920, ImageHeight = 1080 });
        using var folder = new TempFolder();
        var input = folder.File("in.mp4");
        var output = folder.File("out.mp4");
        await Tool.OutputOfAsync("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25:duration=0.4", "-c:v", "libx264", "-preset", "ultrafast", input);
        var root = new System.CommandLine.RootCommand { MaskCommand.Create((_, _) => Task.FromResult(_host.Services)) };

        var ok = await root.Parse(["mask", input, output, "--camera", "SKO-001-K01"]).InvokeAsync();
        var unknown = await root.Parse(["mask", input, folder.File("x.mp4"), "--camera", "NOPE"]).InvokeAsync();

        Assert.Equal(0, ok);
        Assert.True(new FileInfo(output).Length > 1000);
        Assert.Equal(3, unknown);
    }

    private static CalibrationBodyJson SampleBody(string cameraId)
    {
        var json = File.ReadAllText(Path.Combine(MaskingHost.SampleCity, "calibrations", cameraId + ".json"));
        var c = JsonSerializer.Deserialize<CameraCalibration>(json, JsonSerializerOptions.Web)!;
        return new CalibrationBodyJson(c.Points, c.Facade, c.KeepDistanceMetres, c.ImageWidth, c.ImageHeight);
    }

    private sealed record CalibrationBodyJson(IReadOnlyList<CalibrationPoint> Points, IReadOnlyList<double[]> Facade, double KeepDistanceMetres, int ImageWidth, int ImageHeight);
}
