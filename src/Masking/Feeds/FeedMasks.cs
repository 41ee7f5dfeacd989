using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.History;
using CameraHub.Masking.Masks;
using CameraHub.StreamBroker.Masked;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace CameraHub.Masking.Feeds;

/// <summary>
/// The masks of masked feeds, from the same plan as exports (<see cref="MaskingPlan"/>, cached in
/// <see cref="MaskCache"/>): privacy polygons, or the façade-distance mask of a trusted calibration. Live feeds get the
/// current mask version, recorded footage the versions in force when it was recorded (<see cref="MaskHistory"/>).
/// Where an export would obscure everything (a façade camera without calibration) a feed is refused instead, with the reason.
/// </summary>
public sealed class FeedMasks(IServiceScopeFactory scopes, MaskCache cache) : IFeedMasks
{
    public async Task<FeedMask> GetAsync(CameraSource camera, int width, int height, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var version = await scope.ServiceProvider.GetRequiredService<MaskHistory>().CurrentAsync(camera, ct);
        var plan = PlanFor(camera.Id, version.Definition(), width, height);
        return new FeedMask(ObscurePng(plan.Mask), Pixelator.BlockSizeFor(width), plan.Mask.Sha256, Label([version]));
    }

    public async Task<FeedMask> GetRecordedAsync(CameraSource camera, DateTimeOffset from, DateTimeOffset to, int width, int height, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // A stretch partly recorded without a mask is masked whole: more obscured, never less.
        var spans = (await scope.ServiceProvider.GetRequiredService<MaskHistory>().CoveringAsync(camera, from.UtcDateTime, to.UtcDateTime, ct))
            .Where(s => s.Version.Kind != nameof(MaskingKind.None)).ToList();
        if (spans.Count == 0)
        {
            throw new MaskUnavailableException($"camera '{camera.Id}' had no masking profile when this footage was recorded; readers get it as recorded");
        }

        var plans = spans.Select(s => PlanFor(camera.Id, s.Version.Definition(), width, height)).ToList();
        if (plans.Count == 1)
        {
            return new FeedMask(ObscurePng(plans[0].Mask), Pixelator.BlockSizeFor(width), plans[0].Mask.Sha256, Label([spans[0].Version]));
        }

        // Footage crossing a change of mask: obscure what any of its versions obscures, so no moment is shown with a weaker mask.
        using var keep = plans[0].Mask.Keep.Clone();
        foreach (var plan in plans.Skip(1))
        {
            Cv2.BitwiseAnd(keep, plan.Mask.Keep, keep);
        }

        using var union = PrivacyMask.FromKeep(keep.Clone());
        return new FeedMask(ObscurePng(union), Pixelator.BlockSizeFor(width), union.Sha256, Label([.. spans.Select(s => s.Version)]));
    }

    public async Task<bool> MaskedDuringAsync(CameraSource camera, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var versions = await scope.ServiceProvider.GetRequiredService<MaskHistory>().ListAsync(camera.Id, ct);
        if (versions.Count == 0)
        {
            return PictureFeedRule.For(camera).IsMasked;
        }

        // Footage older than the history is judged by the first version (the history began with the profile then in force).
        var known = versions.Count > 0 && from.UtcDateTime < versions[0].ValidFromUtc
            ? MaskHistory.Spans(camera.Id, versions, versions[0].ValidFromUtc, to.UtcDateTime > versions[0].ValidFromUtc ? to.UtcDateTime : versions[0].ValidFromUtc)
            : MaskHistory.Spans(camera.Id, versions, from.UtcDateTime, to.UtcDateTime);
        return known.Any(s => s.Version.Kind != nameof(MaskingKind.None));
    }

    /// <summary>The plan of one mask version for a picture size, or the reason none can be made.</summary>
    /// <exception cref="MaskUnavailableException">The version's calibration is refused, its polygons do not fit, or it obscures everything.</exception>
    internal MaskingPlan PlanFor(string cameraId, MaskDefinition definition, int width, int height)
    {
        MaskingPlan plan;
        try
        {
            plan = MaskingPlan.For(definition.Profile(), definition.Calibration, cache, width, height);
        }
        catch (CalibrationRejectedException e)
        {
            throw new MaskUnavailableException($"camera '{cameraId}' requires masking but its calibration is refused: {string.Join(" ", e.Problems)}");
        }
        catch (ArgumentException e)
        {
            throw new MaskUnavailableException($"camera '{cameraId}' requires masking but its masking profile is unusable: {e.Message}");
        }

        if (plan.Kind == MaskingKind.None)
        {
            throw new MaskUnavailableException($"camera '{cameraId}' has no masking profile; readers get its own stream");
        }

        if (plan.FailClosedReason is not null)
        {
            throw new MaskUnavailableException(
                $"camera '{cameraId}' masks by façade distance but has no calibration, so no mask can be made; PUT one to /api/cameras/{cameraId}/calibration");
        }

        return plan;
    }

    private static string Label(IEnumerable<MaskVersion> versions) =>
        "mask version " + string.Join(", ", versions.Select(v => $"v{v.Version} ({v.DefinitionSha256})"));

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
