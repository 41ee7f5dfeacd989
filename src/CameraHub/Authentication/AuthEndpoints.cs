using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Limits;
using Microsoft.AspNetCore.Identity;

namespace CameraHub.Authentication;

/// <summary>Credentials for sign-in.</summary>
public sealed record SignInRequest(string? Username, string? Password);

/// <summary>A bearer token for API clients.</summary>
public sealed record TokenResponse(string AccessToken, int ExpiresIn, string TokenType = "Bearer");

/// <summary>Who is signed in.</summary>
public sealed record Me(string UserName, string? DisplayName, IReadOnlyList<string> Roles, string? OrganisationId);

/// <summary>Routes under /api/auth: bearer tokens, cookie sign-in and sign-out, and who am I.</summary>
public static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuthEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Authentication").WithBodyLimit(BodyLimit.SignIn);
        group.MapPost("/token", async (SignInRequest request, HttpContext http, UserManager<HubUser> users, SignInManager<HubUser> signIn,
            TokenIssuer issuer, IAuditLog audit, CancellationToken ct) =>
        {
            var (user, refusal) = await CheckAsync(request, http, users, signIn, audit, ct);
            if (user is null)
            {
                return refusal!;
            }

            var token = issuer.Issue(await HubAuthentication.ClaimsForAsync(users, user));
            return Results.Ok(new TokenResponse(token, (int)issuer.Lifetime.TotalSeconds));
        }).AllowAnonymous().RequireRateLimiting(SignInRateLimit.Policy).WithSummary("Exchanges a user name and password for a bearer token.");

        group.MapPost("/login", async (SignInRequest request, HttpContext http, UserManager<HubUser> users, SignInManager<HubUser> signIn,
            IAuditLog audit, CancellationToken ct) =>
        {
            var (user, refusal) = await CheckAsync(request, http, users, signIn, audit, ct);
            if (user is null)
            {
                return refusal!;
            }

            await signIn.SignInAsync(user, isPersistent: false);
            return Results.Ok(await MeAsync(users, user));
        }).AllowAnonymous().RequireRateLimiting(SignInRateLimit.Policy).WithSummary("Signs in with a cookie (the web console).");

        group.MapPost("/logout", async (SignInManager<HubUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.NoContent();
        }).RequireAuthorization();

        group.MapGet("/me", async (ClaimsPrincipal principal, UserManager<HubUser> users) =>
        {
            var user = await users.FindByNameAsync(principal.Identity!.Name!);
            return user is null ? Results.Unauthorized() : Results.Ok(await MeAsync(users, user));
        }).RequireAuthorization();
        return group;
    }

    private static async Task<Me> MeAsync(UserManager<HubUser> users, HubUser user) =>
        new(user.UserName!, user.DisplayName, [.. await users.GetRolesAsync(user)], user.OrganisationId);

    /// <summary>
    /// Checks the password with lock-out and audits success, failure (with the true reason) and lock-out. Every refusal
    /// is the same 401 with the same bytes, and every attempt costs one password hash, so neither the answer nor its
    /// timing tells a caller whether the account exists, is locked or is disabled.
    /// </summary>
    private static async Task<(HubUser? User, IResult? Refusal)> CheckAsync(
        SignInRequest request, HttpContext http, UserManager<HubUser> users, SignInManager<HubUser> signIn, IAuditLog audit, CancellationToken ct)
    {
        var remote = AccessGate.RemoteAddress(http);
        var name = request.Username ?? string.Empty;
        var password = request.Password ?? string.Empty;
        // Names longer than any account's are not looked up (the audit log keeps a bounded prefix of them).
        var user = name.Length is 0 or > SignInLimits.MaxUserNameLength ? null : await users.FindByNameAsync(name);
        string reason;
        if (user is null || password.Length is 0 or > SignInLimits.MaxPasswordLength)
        {
            SignInLimits.SpendOneHash(users, password);
            reason = user is null ? "unknown user" : "no or oversized password";
        }
        else if (user.Disabled)
        {
            SignInLimits.SpendOneHash(users, password);
            reason = "the account is disabled";
        }
        else if (await users.IsLockedOutAsync(user))
        {
            // Identity does not hash for a locked account; spend the same time so the lock-out does not show.
            SignInLimits.SpendOneHash(users, password);
            reason = "the account is locked after repeated failed sign-ins";
            await audit.AppendAsync(new AuditEvent(AuditAction.UserLockedOut, AuditOutcome.Denied, name, RemoteAddress: remote, SubjectType: "user", SubjectId: name), ct);
        }
        else
        {
            var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
            if (result.Succeeded)
            {
                await audit.AppendAsync(new AuditEvent(AuditAction.LoginSucceeded, AuditOutcome.Allowed, user.UserName!, RemoteAddress: remote), ct);
                return (user, null);
            }

            reason = result.IsLockedOut ? "wrong password; the account is now locked" : "wrong password";
            if (result.IsLockedOut)
            {
                await audit.AppendAsync(new AuditEvent(AuditAction.UserLockedOut, AuditOutcome.Denied, name, RemoteAddress: remote, SubjectType: "user", SubjectId: name), ct);
            }
        }

        // The true reason is for the DPO's log only; the caller gets the one answer every refusal gets.
        await audit.AppendAsync(new AuditEvent(AuditAction.LoginFailed, AuditOutcome.Denied, name.Length == 0 ? "anonymous" : name, RemoteAddress: remote, Details: reason), ct);
        return (null, SignInLimits.Refusal);
    }
}
