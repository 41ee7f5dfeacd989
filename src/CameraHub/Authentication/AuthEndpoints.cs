using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Identity;
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
        var group = routes.MapGroup("/api/auth").WithTags("Authentication");
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
        }).AllowAnonymous().WithSummary("Exchanges a user name and password for a bearer token.");

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
        }).AllowAnonymous().WithSummary("Signs in with a cookie (the web console).");

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

    /// <summary>Checks the password with lockout; audits success, failure and lock-out; answers 401 with the reason.</summary>
    private static async Task<(HubUser? User, IResult? Refusal)> CheckAsync(
        SignInRequest request, HttpContext http, UserManager<HubUser> users, SignInManager<HubUser> signIn, IAuditLog audit, CancellationToken ct)
    {
        var remote = AccessGate.RemoteAddress(http);
        var name = request.Username ?? string.Empty;
        var user = string.IsNullOrEmpty(name) ? null : await users.FindByNameAsync(name);
        string reason;
        if (user is null || string.IsNullOrEmpty(request.Password))
        {
            reason = "unknown user or wrong password";
        }
        else if (user.Disabled)
        {
            reason = "the account is disabled";
        }
        else
        {
            var result = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
            if (result.Succeeded)
            {
                await audit.AppendAsync(new AuditEvent(AuditAction.LoginSucceeded, AuditOutcome.Allowed, user.UserName!, RemoteAddress: remote), ct);
                return (user, null);
            }

            reason = result.IsLockedOut ? "the account is locked after repeated failed sign-ins; try again later" : "unknown user or wrong password";
            if (result.IsLockedOut)
            {
                await audit.AppendAsync(new AuditEvent(AuditAction.UserLockedOut, AuditOutcome.Denied, name, RemoteAddress: remote, SubjectType: "user", SubjectId: name), ct);
            }
        }

        await audit.AppendAsync(new AuditEvent(AuditAction.LoginFailed, AuditOutcome.Denied, name.Length == 0 ? "anonymous" : name, RemoteAddress: remote, Details: reason), ct);
        return (null, Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: reason));
    }
}
