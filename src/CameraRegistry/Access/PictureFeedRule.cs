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
}

/// <summary>
/// DESIGN.md 4.6 decided in one place: every path a picture leaves the hub by — people's live (WebSocket, HLS),
/// playback, partner RTSP and HLS, evidence, snapshots and mask previews — asks this rule which feed its reader gets,
/// and keeps the answer with its session. A camera whose profile masks anything is masked for everyone; a path that
/// cannot make the mask refuses (409 with the reason) and never falls back to the original. Lifts of a liftable
/// profile (the Unmask right, four eyes) will answer <see cref="PictureFeed.Original"/> here and nowhere else.
/// </summary>
public static class PictureFeedRule
{
    /// <summary>The feed for a reader of <paramref name="camera"/> now.</summary>
    public static FeedDecision For(CameraSource camera) => For(camera.Id, camera.Masking);

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
