using CameraHub.CameraRegistry.Audit;
using Microsoft.AspNetCore.Http;

namespace CameraHub.CameraRegistry.Access;

/// <summary>Endpoint-side use of the policy: decide, audit a denial with who/where/what, answer problem+json.</summary>
public sealed class AccessGate(IAccessPolicy policy, IAuditLog audit)
{
    /// <summary>Null when allowed; otherwise the audited refusal to return.</summary>
    public async Task<IResult?> RefuseUnlessAsync(HttpContext http, CameraRight right, string cameraId, CancellationToken ct)
    {
        var decision = await policy.DecideAsync(http.User, right, cameraId, ct);
        return decision.Allowed ? null : await RefuseAsync(http, decision, right, cameraId, null, ct);
    }

    /// <summary>Audits the denial and builds the problem response.</summary>
    public async Task<IResult> RefuseAsync(HttpContext http, AccessDecision decision, CameraRight right, string? cameraId, string? subject, CancellationToken ct)
    {
        await audit.AppendAsync(new AuditEvent(
            AuditAction.AccessDenied, AuditOutcome.Denied, Actor(http), cameraId,
            RemoteAddress: RemoteAddress(http),
            Details: $"{http.Request.Method} {http.Request.Path}: {right} refused: {decision.Reason}",
            SubjectType: subject is null ? null : "owner", SubjectId: subject), ct);
        return Results.Problem(
            statusCode: decision.StatusCode,
            title: decision.StatusCode switch { 404 => "Not found", 409 => "The camera does not allow this", _ => "Not allowed" },
            detail: decision.Reason);
    }

    public static string Actor(HttpContext http) => http.User.Identity?.Name ?? "anonymous";

    public static string? RemoteAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}
