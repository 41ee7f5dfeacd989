using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CameraHub.Masking.History;

/// <summary>One mask version as the API shows it.</summary>
public sealed record MaskVersionView(
    int Version, DateTime ValidFrom, DateTime? ValidUntil, string Kind, string DefinitionSha256, string ChangedBy, string Change, MaskDefinition Definition);

/// <summary>GET /api/cameras/{id}/mask-versions: the camera's mask history (who may check its mask: administrators, the DPO, its owner).</summary>
public static class MaskHistoryEndpoints
{
    public static RouteHandlerBuilder MapMaskHistoryEndpoints(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/cameras/{id}/mask-versions", ListAsync).WithTags("Masking").WithName("ListMaskVersions");

    private static async Task<IResult> ListAsync(string id, HttpContext http, AccessGate gate, ICameraDirectory cameras, MaskHistory history, CancellationToken ct)
    {
        if (await gate.RefuseUnlessAsync(http, CameraRight.Audit, id, ct) is { } refused)
        {
            return refused;
        }

        if (await cameras.FindAsync(id, ct) is not { } camera)
        {
            return Results.Problem(statusCode: 404, title: "Unknown camera", detail: $"No camera {id} in the registry.");
        }

        await history.CurrentAsync(camera, ct);
        var versions = await history.ListAsync(id, ct);
        return Results.Ok(versions.Select(v =>
        {
            var r = MaskHistory.Ref(versions, v);
            return new MaskVersionView(v.Version, v.ValidFromUtc, r.ValidUntil, v.Kind, v.DefinitionSha256, v.ChangedBy, v.Change, v.Definition());
        }).ToList());
    }
}
