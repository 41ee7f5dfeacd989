using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;
using CameraHub.StreamBroker.Masked;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace CameraHub.Masking.Feeds;

/// <summary>
/// The masks of partner feeds, from the same plan as exports (<see cref="MaskingPlan"/>, cached in
/// <see cref="MaskCache"/>): privacy polygons, or the façade-distance mask of a trusted calibration. Where an export
/// would obscure everything (a façade camera without calibration) a live partner feed is refused instead, with the reason.
/// </summary>
public sealed class FeedMasks(IServiceScopeFactory scopes, MaskCache cache) : IFeedMasks
{
    public async Task<FeedMask> GetAsync(CameraSource camera, int width, int height, CancellationToken ct)
    {
        CameraCalibration? calibration = null;
        if (camera.Masking.Kind == MaskingKind.FacadeDistance)
        {
            await using var scope = scopes.CreateAsyncScope();
            calibration = (await scope.ServiceProvider.GetRequiredService<CalibrationStore>().FindAsync(camera.Id, ct))?.Calibration;
        }

        MaskingPlan plan;
        try
        {
            plan = MaskingPlan.For(camera.Masking, calibration, cache, width, height);
        }
        catch (CalibrationRejectedException e)
        {
            throw new MaskUnavailableException($"camera '{camera.Id}' requires masking but its calibration is refused: {string.Join(" ", e.Problems)}");
        }
        catch (ArgumentException e)
        {
            throw new MaskUnavailableException($"camera '{camera.Id}' requires masking but its masking profile is unusable: {e.Message}");
        }

        if (plan.Kind == MaskingKind.None)
        {
            throw new MaskUnavailableException($"camera '{camera.Id}' has no masking profile; partners read its own stream");
        }

        if (plan.FailClosedReason is not null)
        {
            throw new MaskUnavailableException(
                $"camera '{camera.Id}' masks by façade distance but has no calibration, so no mask can be made; PUT one to /api/cameras/{camera.Id}/calibration");
        }

        return new FeedMask(ObscurePng(plan.Mask), Pixelator.BlockSizeFor(width), plan.Mask.Sha256);
    }

    /// <summary>
    /// The obscured area at full size, grown to whole 2×2 cells (from the chroma-resolution mask): a 4:2:0 chroma
    /// sample is then either wholly obscured or wholly kept, so no colour of an obscured pixel survives the overlay.
    /// </summary>
    internal static byte[] ObscurePng(PrivacyMask mask)
    {
        using var doubled = new Mat();
        Cv2.Resize(mask.ObscureChroma, doubled, new Size(mask.ObscureChroma.Width * 2, mask.ObscureChroma.Height * 2), 0, 0, InterpolationFlags.Nearest);
        using var full = doubled[new Rect(0, 0, mask.Width, mask.Height)];
        return full.ImEncode(".png");
    }
}
