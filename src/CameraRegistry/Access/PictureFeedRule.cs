using CameraHub.CameraRegistry.Cameras;

namespace CameraHub.CameraRegistry.Access;

/// <summary>Which picture of a camera a reader is sent.</summary>
public enum PictureFeed
{
    /// <summary>The camera's own stream, unchanged (a camera without a masking profile).</summary>
    Original = 0,

    /// <summary>The camera's picture with its masking profile applied; never the original, whatever fails.</summary>
    Masked = 1,
}

/// <summary>The feed one reader of one camera gets, and why (the reason goes into the audit entry of the session).</summary>
public sealed record FeedDecision(PictureFeed Feed, string Reason)
{
    public bool IsMasked => Feed == PictureFeed.Masked;

    /// <summary>The mask lift this original picture is shown under; null for a camera without a mask (or a masked feed).</summary>
    public Guid? LiftId { get; init; }

    /// <summary>When the lift ends: an unmasked picture under a lift stops then (null: no such limit).</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>
/// DESIGN.md 4.6 decided in one place: every path a picture leaves the hub by — people's live (WebSocket, HLS),
/// playback, partner RTSP and HLS, evidence, snapshots and mask previews — asks this rule which feed its reader gets,
/// and keeps the answer with its session. A camera whose profile masks anything is masked for everyone; a path that
/// cannot make the mask refuses (409 with the reason) and never falls back to the original. Lifts of a liftable
/// profile (the Unmask right, four eyes) answer <see cref="PictureFeed.Original"/> here and nowhere else: for the one
/// user, camera and live or recorded window the approved lift names, until it expires (<see cref="PictureFeeds"/>
/// finds the reader's lifts). A permanent profile is never lifted.
/// </summary>
public static class PictureFeedRule
{
    /// <summary>
    /// The feed for <paramref name="reader"/> of <paramref name="camera"/> at <paramref name="now"/>: live when
    /// <paramref name="recorded"/> is null, else footage recorded in that window (masked when the camera is masked now or
    /// <paramref name="maskedWhenRecorded"/>); the original only under one of <paramref name="lifts"/> that is in force
    /// and covers exactly this reader, camera and use, and only for a liftable profile.
    /// </summary>
    public static FeedDecision For(
        CameraSource camera, string reader, IEnumerable<MaskLifts.MaskLift> lifts, DateTimeOffset now,
        (DateTimeOffset From, DateTimeOffset To)? recorded = null, bool maskedWhenRecorded = false)
    {
        var masked = recorded is null ? For(camera) : ForRecorded(camera, maskedWhenRecorded);
        if (!masked.IsMasked || !camera.Masking.Liftable)
        {
            return masked;
        }

        var lift = lifts.FirstOrDefault(l =>
            l.CameraId == camera.Id && string.Equals(l.RequestedBy, reader, StringComparison.OrdinalIgnoreCase) && l.ApprovedBy is not null
            && !string.Equals(l.ApprovedBy, l.RequestedBy, StringComparison.OrdinalIgnoreCase) && l.InForceAt(now.UtcDateTime)
            && (recorded is { } window ? l.CoversRecorded(window.From, window.To) : l.Live));
        return lift is null ? masked : new FeedDecision(PictureFeed.Original,
            $"mask lift {lift.Id} of camera '{camera.Id}' for '{lift.RequestedBy}', approved by '{lift.ApprovedBy}' until {lift.ExpiresAtUtc:O}: {lift.Reason}")
        {
            LiftId = lift.Id,
            Until = lift.ExpiresAtUtc is { } end ? new DateTimeOffset(end, TimeSpan.Zero) : null,
        };
    }

    /// <summary>The feed for a reader of <paramref name="camera"/> now.</summary>
    public static FeedDecision For(CameraSource camera) => For(camera.Id, camera.Masking);

    /// <summary>
    /// The feed for a reader of recorded footage of <paramref name="camera"/>: masked when the camera is masked now or
    /// when some of the footage was recorded under a mask (<paramref name="maskedWhenRecorded"/>, from the mask history).
    /// </summary>
    public static FeedDecision ForRecorded(CameraSource camera, bool maskedWhenRecorded) =>
        For(camera) is { IsMasked: false } && maskedWhenRecorded
            ? new FeedDecision(PictureFeed.Masked, $"camera '{camera.Id}' was masked when this footage was recorded: masked for everyone")
            : For(camera);

    /// <summary>The feed for a reader of a camera with <paramref name="masking"/>.</summary>
    public static FeedDecision For(string cameraId, MaskingProfile masking) => masking.Kind switch
    {
        MaskingKind.None => new FeedDecision(PictureFeed.Original, $"camera '{cameraId}' has no masking profile"),
        MaskingKind.FacadeDistance => new FeedDecision(PictureFeed.Masked,
            $"camera '{cameraId}' may film only within {masking.KeepDistanceMetres ?? 2.0:0.0#} m of the façade: masked for everyone"),
        _ => new FeedDecision(PictureFeed.Masked, $"camera '{cameraId}' has privacy polygons: masked for everyone"),
    };

    /// <summary>The refusal of a path that needs a mask it cannot make: 409, naming the problem and what to do.</summary>
    public static AccessDecision MaskUnavailable(string cameraId, string problem) => AccessDecision.Conflict(
        $"{problem}. Camera '{cameraId}' is shown only masked, so nothing is shown until the mask can be made "
        + $"(the owner fixes the masking profile or PUTs a calibration to /api/cameras/{cameraId}/calibration).");
}
