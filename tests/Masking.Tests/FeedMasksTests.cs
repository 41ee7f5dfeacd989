using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Feeds;
using CameraHub.Masking.Masks;
using CameraHub.StreamBroker.Masked;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace CameraHub.Masking.Tests;

/// <summary>The partner feed's mask: the export mask, grown to whole 2×2 cells, white where obscured; no mask, no feed.</summary>
public sealed class FeedMasksTests : IAsyncLifetime
{
    private readonly MaskCache _cache = new();
    private MaskingHost _host = null!;

    public async Task InitializeAsync() => _host = await MaskingHost.StartAsync();

    public async Task DisposeAsync()
    {
        _cache.Dispose();
        await _host.DisposeAsync();
    }

    private static CameraSource Camera(MaskingProfile masking) =>
        new("TRF-M-1", "Torget", "org", CameraCategory.Traffic, CameraMode.LiveOnly, CameraStatus.Active, true, "always", null,
            "rtsp://10.0.0.5:554/stream1", null, RtspTransport.Tcp, null, null, masking, []);

    [Fact]
    public async Task A_privacy_polygon_becomes_a_white_area_grown_to_whole_2x2_cells_with_the_exports_block_size_and_hash()
    {
        var profile = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [10, 0], [10, 10], [0, 10]]] };
        var masks = new FeedMasks(_host.Services.GetRequiredService<IServiceScopeFactory>(), _cache);

        var mask = await masks.GetAsync(Camera(profile), 64, 48, CancellationToken.None);

        using var png = Cv2.ImDecode(mask.ObscurePng, ImreadModes.Unchanged);
        Assert.Equal((64, 48, 1), (png.Width, png.Height, png.Channels()));
        Assert.Equal(255, png.At<byte>(0, 0));
        Assert.Equal(255, png.At<byte>(10, 10)); // the polygon's own edge
        Assert.Equal(255, png.At<byte>(11, 11)); // grown: shares 4:2:0 chroma samples with (10, 10)
        Assert.Equal(0, png.At<byte>(12, 12));
        Assert.Equal(0, png.At<byte>(47, 63));
        Assert.Equal(16, mask.BlockSize);
        Assert.Equal(_cache.Get([profile.Polygons[0]], 64, 48).Sha256, mask.Sha256);
    }

    [Fact]
    public async Task A_camera_without_a_usable_mask_is_refused_with_the_reason_rather_than_served_unmasked()
    {
        var masks = new FeedMasks(_host.Services.GetRequiredService<IServiceScopeFactory>(), _cache);
        var badPolygon = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [10, 0]]] };

        var refused = await Assert.ThrowsAsync<MaskUnavailableException>(() => masks.GetAsync(Camera(badPolygon), 64, 48, CancellationToken.None));
        Assert.Contains("masking profile is unusable", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MaskUnavailableException>(() => masks.GetAsync(Camera(new MaskingProfile()), 64, 48, CancellationToken.None));
    }

    [Fact]
    public async Task Polygons_drawn_on_a_larger_picture_refuse_a_smaller_stream_instead_of_obscuring_nothing()
    {
        // The sample city's pavement polygon of a 1280×720 picture, offered a 640×360 stream: it would lie wholly below it.
        var masks = new FeedMasks(_host.Services.GetRequiredService<IServiceScopeFactory>(), _cache);
        var pavement = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 480], [1280, 480], [1280, 720], [0, 720]]] };

        var refused = await Assert.ThrowsAsync<MaskUnavailableException>(() => masks.GetAsync(Camera(pavement), 640, 360, CancellationToken.None));
        Assert.Contains("outside the 640×360 picture", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(await masks.GetAsync(Camera(pavement), 1280, 720, CancellationToken.None));
    }
}
