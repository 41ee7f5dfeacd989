using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>A camera's static partner mask at one picture size: a grey PNG, white where pixels are obscured.</summary>
/// <param name="ObscurePng">8-bit grey PNG of the picture's size: 255 obscured, 0 kept; aligned to 2×2 so 4:2:0 chroma needs no blending.</param>
/// <param name="BlockSize">Edge of a pixelation block in pixels.</param>
/// <param name="Sha256">The mask's hash as the masking module records it (logs, audit, manifests).</param>
public sealed record PartnerFeedMask(byte[] ObscurePng, int BlockSize, string Sha256);

/// <summary>A camera requires masking but no trustworthy mask can be made: the partner is refused rather than sent unmasked video.</summary>
public sealed class PartnerMaskUnavailableException(string message) : InvalidOperationException(message);

/// <summary>Masks for partner feeds: declared by the broker, implemented by the masking module.</summary>
public interface IPartnerFeedMasks
{
    /// <summary>
    /// The mask for <paramref name="camera"/>'s stream of <paramref name="width"/>×<paramref name="height"/>; throws
    /// <see cref="PartnerMaskUnavailableException"/> naming the problem (no calibration, calibration for another size, bad polygons).
    /// </summary>
    Task<PartnerFeedMask> GetAsync(CameraSource camera, int width, int height, CancellationToken ct);
}

/// <summary>Fail closed when the host has no masking module: a masked camera is never shared.</summary>
internal sealed class NoPartnerFeedMasks : IPartnerFeedMasks
{
    public Task<PartnerFeedMask> GetAsync(CameraSource camera, int width, int height, CancellationToken ct) =>
        throw new PartnerMaskUnavailableException($"camera '{camera.Id}' requires masking ({camera.Masking.Kind}) and this hub has no masking module");
}

/// <summary>
/// What a partner reads for a camera: its own path when the camera has no masking profile, otherwise its masked
/// re-encode — one per camera, however many partner readers (RTSP and HLS) it has.
/// </summary>
public sealed class PartnerFeeds(
    PathManager paths, IPartnerFeedMasks masks, ICameraDirectory cameras, IOptions<BrokerOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<PartnerFeeds>();

    /// <summary>The path key of a camera's masked feed in the <see cref="PathManager"/>; '#' never occurs in a camera id used in a URL.</summary>
    public static string MaskedFeedKey(string cameraId) => $"{cameraId}#masked";

    /// <summary>Whether partners get a re-encode of this camera rather than its stream as it is.</summary>
    public static bool RequiresMasking(CameraSource camera) => camera.Masking.Kind != MaskingKind.None;

    /// <summary>The open path a partner of <paramref name="camera"/> reads (the masked feed when it requires masking), or null.</summary>
    public CameraPath? Find(CameraSource camera) => paths.Find(RequiresMasking(camera) ? MaskedFeedKey(camera.Id) : camera.Id);

    /// <summary>
    /// Attaches a partner's reader. For a masked camera the mask is checked first (unless its feed is already
    /// running), so a camera whose mask cannot be made is refused at once with the reason.
    /// </summary>
    /// <exception cref="PartnerMaskUnavailableException">The camera requires masking and no mask can be made.</exception>
    public async Task<PathLease> AttachAsync(CameraSource camera, Viewer viewer, CancellationToken ct)
    {
        if (!RequiresMasking(camera))
        {
            return paths.Attach(camera, viewer);
        }

        var key = MaskedFeedKey(camera.Id);
        if (paths.Find(key) is not { Status.State: CameraLiveState.Online })
        {
            await CheckMaskAsync(camera, ct);
        }

        return paths.AttachFeed(key, camera, () => new MaskedFeedSource(camera, paths, masks, cameras, options.Value, time, loggers.CreateLogger<MaskedFeedSource>()), viewer);
    }

    /// <summary>Builds the mask for the camera's current picture size (reading the camera's init segment if needed).</summary>
    private async Task CheckMaskAsync(CameraSource camera, CancellationToken ct)
    {
        var probe = new Viewer($"mask-check-{camera.Id}", options.Value.ViewerQueueLength, time, options.Value.SlowViewerTimeout);
        await using var lease = paths.Attach(camera, probe);
        var (_, config) = await MaskedFeedSource.AwaitInitAsync(probe, ct);
        var mask = await masks.GetAsync(camera, config.Width, config.Height, ct);
        _logger.LogInformation("Camera {Camera}: partner mask {Sha} for {Width}x{Height}", camera.Id, mask.Sha256, config.Width, config.Height);
    }
}
