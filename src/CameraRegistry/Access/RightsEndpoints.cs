using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CameraHub.CameraRegistry.Access;

/// <summary>What the signed-in user may do with one camera now: the rights allowed and, for the others, why not.</summary>
public sealed record CameraRights(string CameraId, IReadOnlyList<CameraRight> Allowed, IReadOnlyDictionary<CameraRight, string> Refused);

/// <summary>
/// GET /api/access/rights?camera=A&amp;camera=B: lets a client (the console) show only the actions the user has;
/// asking is not an access attempt, so refusals here are not audited. Every action is still checked when it is taken.
/// </summary>
public static class RightsEndpoints
{
    /// <summary>At most this many cameras per question, so one request cannot walk the whole registry.</summary>
    public const int MaxCameras = 100;

    /// <summary>Maps the rights question.</summary>
    public static RouteGroupBuilder MapRightsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/access").WithTags("Access");
        group.MapGet("/rights", RightsAsync)
            .WithSummary("The caller's rights on each named camera (camera=ID, repeatable, at most 100; right=… to ask about some only), with the reason for each right refused.");
        group.MapGet("/held", async (HttpContext http, AccessPolicy policy, CancellationToken ct) =>
            {
                var held = await policy.HeldRightsAsync(http.User, ct);
                return Results.Ok(new { rights = AccessPolicy.AllRights.Where(r => held.HasFlag(r)).ToList() });
            })
            .WithSummary("Every right the caller holds on some camera (by role or grant): which features a client should offer.");
        return group;
    }

    private static async Task<IResult> RightsAsync(HttpContext http, IAccessPolicy policy, string[]? camera, CameraRight[]? right, CancellationToken ct)
    {
        var ids = (camera ?? []).Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count > MaxCameras)
        {
            return Results.Problem(statusCode: 400, title: "Too many cameras", detail: $"ask about at most {MaxCameras} cameras at a time, not {ids.Count}");
        }

        var asked = right is { Length: > 0 } ? AccessPolicy.AllRights.Where(right.Contains).ToArray() : AccessPolicy.AllRights;
        var answers = new List<CameraRights>(ids.Count);
        foreach (var id in ids)
        {
            var allowed = new List<CameraRight>();
            var refused = new Dictionary<CameraRight, string>();
            foreach (var one in asked)
            {
                var decision = await policy.DecideAsync(http.User, one, id, ct);
                if (decision.StatusCode == 404)
                {
                    break;
                }

                if (decision.Allowed)
                {
                    allowed.Add(one);
                }
                else
                {
                    refused[one] = decision.Reason;
                }
            }

            if (allowed.Count > 0 || refused.Count > 0)
            {
                answers.Add(new CameraRights(id, allowed, refused));
            }
        }

        return Results.Ok(answers);
    }
}
