using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Limits;
using CameraHub.StreamBroker.Recording;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CameraHub.StreamBroker.Retention;

/// <summary>POST/GET /api/legal-holds, DELETE /api/legal-holds/{id} (administrators) and GET /api/recordings/storage.</summary>
public static class LegalHoldEndpoints
{
    public static RouteGroupBuilder MapLegalHolds(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/legal-holds").WithTags("Recordings").WithBodyLimit(BodyLimit.Form)
            .RequireAuthorization(p => p.RequireRole(HubRoles.Administrator));
        group.MapPost("/", async (LegalHoldRequest request, HttpContext http, LegalHolds holds, CancellationToken ct) =>
        {
            var (hold, error) = await holds.CreateAsync(request, AccessGate.Actor(http), ct);
            return hold is null
                ? Results.Problem(statusCode: 400, title: "Legal hold refused", detail: error)
                : Results.Created($"/api/legal-holds/{hold.Id}", hold);
        }).WithName("CreateLegalHold").Produces<LegalHoldView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/", (string? camera, LegalHolds holds, CancellationToken ct) => holds.ListAsync(camera, ct)).WithName("ListLegalHolds");
        group.MapDelete("/{id}", async (string id, HttpContext http, LegalHolds holds, CancellationToken ct) =>
            await holds.ReleaseAsync(id, AccessGate.Actor(http), ct)
                ? Results.NoContent()
                : Results.Problem(statusCode: 404, title: "No such hold", detail: $"no active legal hold {id}"))
            .WithName("ReleaseLegalHold");
        return group;
    }

    /// <summary>Bytes and bitrate of the stored footage per camera (the cost report's storage side).</summary>
    public static RouteHandlerBuilder MapRecordingStorage(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/recordings/storage", async (SegmentIndex index, Recorder recorder, CancellationToken ct) => new
        {
            paused = recorder.PausedReason,
            recording = recorder.RecordingCameras,
            cameras = await index.StorageAsync(ct),
        }).WithTags("Recordings").WithName("RecordingStorage")
        .RequireAuthorization(p => p.RequireRole(HubRoles.Administrator, HubRoles.CameraOwner, HubRoles.DataProtectionOfficer));
}
