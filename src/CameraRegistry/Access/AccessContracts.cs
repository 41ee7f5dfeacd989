using System.Security.Claims;

namespace CameraHub.CameraRegistry.Access;

/// <summary>What a grant allows on a camera (DESIGN.md 4.4).</summary>
[Flags]
public enum CameraRight
{
    None = 0,
    Live = 1,
    Playback = 2,
    Export = 4,
    ApproveExport = 8,
    Audit = 16,
    Manage = 32,
    /// <summary>May ask to lift a liftable mask (never implied by a role; only a grant naming the user gives it).</summary>
    Unmask = 64,
}

/// <summary>Why a request for a camera was allowed or refused; <see cref="StatusCode"/> is what the API answers.</summary>
public sealed record AccessDecision(bool Allowed, int StatusCode, string Reason)
{
    /// <summary>When an allowed live view must end at the latest (a care visit's longest look); null: no such limit.</summary>
    public DateTimeOffset? Until { get; init; }

    public static AccessDecision Allow(string reason) => new(true, 200, reason);

    /// <summary>403: the person lacks a grant.</summary>
    public static AccessDecision Forbid(string reason) => new(false, 403, reason);

    /// <summary>409: the camera itself forbids it (mode, legal basis, hours, status), whoever asks.</summary>
    public static AccessDecision Conflict(string reason) => new(false, 409, reason);

    public static AccessDecision NotFound(string reason) => new(false, 404, reason);
}

/// <summary>The one entry point answering "may this user do this right on this camera now?".</summary>
public interface IAccessPolicy
{
    Task<AccessDecision> DecideAsync(ClaimsPrincipal user, CameraRight right, string cameraId, CancellationToken ct);
}

/// <summary>Raised when a grant is revoked or a user disabled: open streams must be re-checked.</summary>
public sealed record AccessChanged(string? UserName, string? Role, string Reason);

/// <summary>Tells subscribers (the broker) that access changed, so open sessions are re-authorised.</summary>
public interface IAccessChangeFeed
{
    IDisposable Subscribe(Func<AccessChanged, Task> handler);
}

/// <summary>
/// Carries access changes raised on this node to the cluster's other nodes (Redis pub/sub), so their open streams end
/// too; without one (a single node) changes stay in-process.
/// </summary>
public interface IAccessChangeRelay
{
    Task SendAsync(AccessChanged change);
}

/// <summary>The in-force rule shared by grants and sharing agreements: not withdrawn, started, not yet ended (UTC, end exclusive).</summary>
public static class ValidityWindow
{
    public static bool InForce(DateTime? validFromUtc, DateTime? validUntilUtc, DateTime? revokedAtUtc, DateTime utc) =>
        revokedAtUtc is null && (validFromUtc is null || validFromUtc <= utc) && (validUntilUtc is null || utc < validUntilUtc);
}
