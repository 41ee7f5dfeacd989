using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.MaskLifts;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Masking.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Masking.Evidence;

/// <summary>
/// One camera of an evidence request that is to be exported unmasked, under the mask lift that allows it (table
/// <c>EvidenceUnmaskings</c>): written when the request is made, checked again when the package is produced.
/// </summary>
public sealed class EvidenceUnmasking
{
    public Guid EvidenceRequestId { get; set; }
    public required string CameraId { get; set; }
    public Guid MaskLiftId { get; set; }
}

/// <summary>The mask lift an unmasked video in a package was made under, as its manifest names it.</summary>
public sealed record EvidenceMaskLift(Guid Id, string Reason, string RequestedBy, string ApprovedBy, DateTime ApprovedAt, DateTime? ExpiresAt);

/// <summary>
/// Unmasked evidence copies (DESIGN.md 4.6): possible only for a liftable profile with an approved lift covering the
/// requester, the camera and the whole window — which <see cref="PictureFeedRule"/> decides, as for playback; a
/// permanent profile's export is always masked. Everything else about the request (four eyes, holds) is unchanged.
/// </summary>
public static class UnmaskedEvidence
{
    /// <summary>
    /// For a request asking for unmasked copies: the lift of each masked camera, or why there can be none (409). A
    /// camera without a mask is exported as it is anyway and needs no lift.
    /// </summary>
    public static async Task<(IReadOnlyList<EvidenceUnmasking> Unmaskings, AccessDecision? Refusal)> DecideAsync(
        string requester, IReadOnlyList<string> cameraIds, DateTime from, DateTime to, ICameraDirectory cameras, IPictureFeeds feeds, CancellationToken ct)
    {
        var unmaskings = new List<EvidenceUnmasking>();
        foreach (var id in cameraIds)
        {
            if (await cameras.FindAsync(id, ct) is not { } camera || camera.Masking.Kind == MaskingKind.None)
            {
                continue;
            }

            if (!camera.Masking.Liftable)
            {
                return ([], AccessDecision.Conflict(
                    $"camera '{id}' has a permanent mask: its exports are always masked, for everyone; ask without 'unmasked'"));
            }

            var feed = await feeds.RecordedAsync(requester, camera, new DateTimeOffset(from, TimeSpan.Zero), new DateTimeOffset(to, TimeSpan.Zero), maskedWhenRecorded: true, ct);
            if (feed.LiftId is not { } lift)
            {
                return ([], AccessDecision.Conflict(
                    $"no approved mask lift of '{requester}' covers camera '{id}' from {from:O} to {to:O}: ask for one (POST /api/cameras/{id}/mask-lifts "
                    + "with that window of recordings), have a second person approve it, then ask for the unmasked copy while it is in force"));
            }

            unmaskings.Add(new EvidenceUnmasking { CameraId = id, MaskLiftId = lift });
        }

        return unmaskings.Count == 0
            ? ([], AccessDecision.Conflict("none of the cameras is masked: an unmasked copy is the ordinary export; ask without 'unmasked'"))
            : (unmaskings, null);
    }

    /// <summary>
    /// When producing: the lift a camera of the request is exported unmasked under, or null (masked). The lift must
    /// still be the approved one it was (not ended or refused since), of the requester, for this camera and window, and
    /// the camera's profile still liftable; otherwise the export is refused rather than masked differently than asked.
    /// </summary>
    public static async Task<EvidenceMaskLift?> LiftForAsync(IServiceProvider services, EvidenceRequest request, CameraSource camera, CancellationToken ct)
    {
        var row = await services.GetRequiredService<MaskingDbContext>().EvidenceUnmaskings.AsNoTracking()
            .FirstOrDefaultAsync(u => u.EvidenceRequestId == request.Id && u.CameraId == camera.Id, ct);
        if (row is null)
        {
            return null;
        }

        // Only a request asking for an unmasked copy needs the lifts (a host without them refuses below: fail closed).
        var access = services.GetService<AccessDbContext>();
        var lift = access is null ? null : await access.MaskLifts.AsNoTracking().FirstOrDefaultAsync(l => l.Id == row.MaskLiftId, ct);
        var problem = lift switch
        {
            null => "no longer exists",
            { Status: not MaskLiftStatus.Approved } => $"was ended ({lift.EndReason ?? "no reason"})",
            _ when lift.CameraId != camera.Id || !string.Equals(lift.RequestedBy, request.RequestedBy, StringComparison.OrdinalIgnoreCase)
                || lift.ApprovedBy is null || string.Equals(lift.ApprovedBy, lift.RequestedBy, StringComparison.OrdinalIgnoreCase) => "does not cover this requester and camera",
            _ when !lift.CoversRecorded(new DateTimeOffset(request.FromUtc, TimeSpan.Zero), new DateTimeOffset(request.ToUtc, TimeSpan.Zero)) => "does not cover the window",
            _ when camera.Masking.Kind == MaskingKind.None || !camera.Masking.Liftable => "belongs to a profile that is no longer liftable",
            _ => null,
        };
        if (problem is not null)
        {
            throw new EvidenceRefusedException($"the unmasked copy of camera {camera.Id} was asked for under mask lift {row.MaskLiftId}, which {problem}; ask again");
        }

        return new EvidenceMaskLift(lift!.Id, lift.Reason, lift.RequestedBy, lift.ApprovedBy!, lift.ApprovedAtUtc ?? default, lift.ExpiresAtUtc);
    }
}
