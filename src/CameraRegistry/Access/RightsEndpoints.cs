using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

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

    private static async Task<IResult> RightsAsync(
        HttpContext http, AccessPolicy policy, RegistryDbContext db, TimeProvider time, string[]? camera, CameraRight[]? right, CancellationToken ct)
    {
        var ids = (camera ?? []).Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count > MaxCameras)
        {
            return Results.Problem(statusCode: 400, title: "Too many cameras", detail: $"ask about at most {MaxCameras} cameras at a time, not {ids.Count}");
        }

        var asked = right is { Length: > 0 } ? AccessPolicy.AllRights.Where(right.Contains).ToArray() : AccessPolicy.AllRights;
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        // Unknown cameras get no answer, as before; the known ones are decided in one pass.
        var known = await db.Cameras.AsNoTracking().Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        var decisions = await policy.DecideManyAsync(http.User, asked, known.Select(c => CameraAccessFacts.Of(c, today)), ct);
        var answers = ids.Where(decisions.ContainsKey).Select(id => new CameraRights(
            id,
            [.. asked.Where(r => decisions[id][r].Allowed)],
            asked.Where(r => !decisions[id][r].Allowed).ToDictionary(r => r, r => decisions[id][r].Reason)));
        return Results.Ok(answers.ToList());
    }
}
