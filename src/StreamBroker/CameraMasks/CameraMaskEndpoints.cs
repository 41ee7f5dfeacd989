using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>Where a camera's mask is applied, as the camera page shows it.</summary>
/// <param name="CameraId">The camera.</param>
/// <param name="MaskedAt">"camera" (its own masks, verified), "hub" (the hub's masked re-encode) or "none" (no masking profile).</param>
/// <param name="VerifiedAt">When the camera's own masks were last verified (null: never on this node).</param>
/// <param name="CheckedAt">When the camera was last looked at.</param>
/// <param name="Reason">What the last look found.</param>
public sealed record MaskSiteView(string CameraId, string MaskedAt, DateTimeOffset? VerifiedAt, DateTimeOffset? CheckedAt, string Reason);

/// <summary>GET /api/cameras/{id}/mask-site, for whoever may follow the camera (same rule as its viewer count).</summary>
public static class CameraMaskEndpoints
{
    public static void MapMaskSite(RouteGroupBuilder group) =>
        group.MapGet("/cameras/{id}/mask-site", async (string id, HttpContext http, ICameraDirectory cameras, CameraMaskTrust trust, IAccessPolicy policy, CancellationToken ct) =>
        {
            if (!await CameraFollowers.MayFollowAsync(policy, http.User, id, ct) || await cameras.FindAsync(id, ct) is not { } camera)
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"no camera '{id}' of yours");
            }

            if (!PictureFeedRule.For(camera).IsMasked)
            {
                return Results.Ok(new MaskSiteView(id, "none", null, null, "the camera has no masking profile"));
            }

            var site = trust.Site(id, camera.Masking);
            return Results.Ok(site is { AtCamera: true }
                ? new MaskSiteView(id, "camera", site.VerifiedAt, site.CheckedAt, site.Reason)
                : new MaskSiteView(id, "hub", site?.VerifiedAt, site?.CheckedAt, site?.Reason ?? "masked in the hub: the camera's own masks have not been looked at on this node"));
        }).WithName("CameraMaskSite");
}
