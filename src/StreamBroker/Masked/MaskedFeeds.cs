using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Masked;

/// <summary>A camera's static mask at one picture size: a grey PNG, white where pixels are obscured.</summary>
/// <param name="ObscurePng">8-bit grey PNG of the picture's size: 255 obscured, 0 kept; aligned to 2×2 so 4:2:0 chroma needs no blending.</param>
/// <param name="BlockSize">Edge of a pixelation block in pixels.</param>
/// <param name="Sha256">The mask's hash as the masking module records it (logs, audit, manifests).</param>
/// <param name="Versions">The mask versions it was made from ("v3 (1f2e…)"), for the audit; empty when the host keeps no history.</param>
public sealed record FeedMask(byte[] ObscurePng, int BlockSize, string Sha256, string Versions = "");

/// <summary>A camera requires masking but no trustworthy mask can be made: the reader is refused rather than sent unmasked video.</summary>
public sealed class MaskUnavailableException(string message) : InvalidOperationException(message);

/// <summary>Masks for masked feeds (live and playback): declared by the broker, implemented by the masking module.</summary>
public interface IFeedMasks
{
    /// <summary>
    /// The mask for <paramref name="camera"/>'s stream of <paramref name="width"/>×<paramref name="height"/>; throws
    /// <see cref="MaskUnavailableException"/> naming the problem (no calibration, calibration for another size, bad polygons).
    /// </summary>
    Task<FeedMask> GetAsync(CameraSource camera, int width, int height, CancellationToken ct);

    /// <summary>
    /// The mask for footage of <paramref name="camera"/> recorded from <paramref name="from"/> to <paramref name="to"/>:
    /// the mask in force when it was recorded (DESIGN.md 4.6), never a weaker one — where the stretch crosses a change
    /// of mask, every pixel obscured by any version in force over it; throws <see cref="MaskUnavailableException"/>
    /// when the history cannot say which mask held (footage older than the camera's first version) or no mask can be made.
    /// </summary>
    Task<FeedMask> GetRecordedAsync(CameraSource camera, DateTimeOffset from, DateTimeOffset to, int width, int height, CancellationToken ct);

    /// <summary>Whether some footage of the stretch was recorded under a mask (a camera whose profile was dropped later stays masked for it).</summary>
    Task<bool> MaskedDuringAsync(CameraSource camera, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}

/// <summary>Fail closed when the host has no masking module: a masked camera is never shown.</summary>
internal sealed class NoFeedMasks : IFeedMasks
{
    public Task<FeedMask> GetAsync(CameraSource camera, int width, int height, CancellationToken ct) =>
        throw new MaskUnavailableException($"camera '{camera.Id}' requires masking ({camera.Masking.Kind}) and this hub has no masking module");

    public Task<FeedMask> GetRecordedAsync(CameraSource camera, DateTimeOffset from, DateTimeOffset to, int width, int height, CancellationToken ct) =>
        GetAsync(camera, width, height, ct);

    public Task<bool> MaskedDuringAsync(CameraSource camera, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        Task.FromResult(PictureFeedRule.For(camera).IsMasked);
}

/// <summary>
/// What a reader of a camera gets, people and partners alike (<see cref="PictureFeedRule"/>): the camera's own path
/// when its feed is the original, otherwise its masked re-encode — one per camera, however many readers (browser
/// WebSocket and HLS, partner RTSP and HLS) it has, and still one upstream per camera.
/// </summary>
public sealed class MaskedFeeds(
    PathManager paths, IFeedMasks masks, ICameraDirectory cameras, IOptions<BrokerOptions> options, TimeProvider time, ILoggerFactory loggers,
    CameraMasks.CameraMaskTrust? cameraMasks = null)
{
    private readonly ILogger _logger = loggers.CreateLogger<MaskedFeeds>();

    /// <summary>Which cameras are trusted to mask themselves (none without the camera-mask watch).</summary>
    public CameraMasks.CameraMaskTrust CameraMasks { get; } = cameraMasks ?? new CameraMasks.CameraMaskTrust(time);

    /// <summary>The path key of a camera's masked feed in the <see cref="PathManager"/>; '#' never occurs in a camera id used in a URL.</summary>
    public static string MaskedFeedKey(string cameraId) => $"{cameraId}#masked";

    /// <summary>Whether readers get a masked re-encode of this camera rather than its stream as it is.</summary>
    public static bool RequiresMasking(CameraSource camera) => PictureFeedRule.For(camera).IsMasked;

    /// <summary>
    /// The open path a reader of <paramref name="camera"/> reads (the masked feed when it requires masking, the camera's
    /// own when it masks itself, verified), or null.
    /// </summary>
    public CameraPath? Find(CameraSource camera) =>
        !RequiresMasking(camera) || CameraMasks.Trusts(camera, paths.Find(camera.Id)) ? paths.Find(camera.Id) : paths.Find(MaskedFeedKey(camera.Id));

    /// <summary>
    /// Attaches a partner's reader. For a masked camera the mask is checked first (unless its feed is already
    /// running), so a camera whose mask cannot be made is refused at once with the reason.
    /// </summary>
    /// <exception cref="MaskUnavailableException">The camera requires masking and no mask can be made.</exception>
    public async Task<PathLease> AttachAsync(CameraSource camera, Viewer viewer, CancellationToken ct)
    {
        var feed = PictureFeedRule.For(camera);
        if (feed.IsMasked)
        {
            await CheckAsync(camera, ct);
        }

        return Attach(camera, feed, viewer);
    }

    /// <summary>
    /// Attaches a reader to the feed decided for its session: the camera's path, or for a masked reader the camera's
    /// own path when the camera's masks are verified on its current connection (relayed as it is, no masking encoder),
    /// else its masked feed (started by its first reader). A masked feed whose mask fails later goes offline with the
    /// reason; a camera that loses its trust ends its readers, who are decided again. Never the original unverified.
    /// </summary>
    public PathLease Attach(CameraSource camera, FeedDecision feed, Viewer viewer)
    {
        if (!feed.IsMasked)
        {
            return paths.Attach(camera, viewer);
        }

        if (CameraMasks.Admit(camera, paths.Find(camera.Id), viewer))
        {
            var lease = paths.Attach(camera, viewer);
            if (!CameraMasks.Trusts(camera, lease.Path))
            {
                // The path closed and reopened between the decision and the attach: its new connection is unverified.
                viewer.End($"camera '{camera.Id}' reconnected before its masks were verified again; connect again", revoked: true);
            }

            return lease;
        }

        return paths.AttachFeed(MaskedFeedKey(camera.Id), camera,
            () => new MaskedFeedSource(camera, paths, masks, cameras, options.Value, time, loggers.CreateLogger<MaskedFeedSource>()), viewer);
    }

    /// <summary>
    /// Builds the mask for the camera's current picture size (reading the camera's init segment if needed), unless
    /// its masked feed is running already; a path opening a session calls it to refuse at once when no mask can be made.
    /// </summary>
    /// <exception cref="MaskUnavailableException">No mask can be made (the message names the problem).</exception>
    /// <exception cref="InvalidOperationException">The camera sent no H.264 picture in time.</exception>
    public async Task CheckAsync(CameraSource camera, CancellationToken ct)
    {
        if (paths.Find(MaskedFeedKey(camera.Id)) is { Status.State: CameraLiveState.Online } || CameraMasks.Trusts(camera, paths.Find(camera.Id)))
        {
            return;
        }

        var probe = new Viewer($"mask-check-{camera.Id}", options.Value.ViewerQueueLength, time, options.Value.SlowViewerTimeout);
        await using var lease = paths.Attach(camera, probe);
        var (_, config) = await MaskedFeedSource.AwaitInitAsync(probe, ct);
        FeedMask mask;
        try
        {
            mask = await masks.GetAsync(camera, config.Width, config.Height, ct);
        }
        catch (MaskUnavailableException)
        {
            MaskingMetrics.Failed("check");
            throw;
        }

        _logger.LogInformation("Camera {Camera}: mask {Sha} for {Width}x{Height}", camera.Id, mask.Sha256, config.Width, config.Height);
    }
}
