using System.Security.Cryptography;
using System.Text;
using CameraHub.CameraRegistry.Identity;
using Microsoft.AspNetCore.Identity;

namespace CameraHub.Authentication;

/// <summary>What sign-in refuses with, and the bounds it checks before touching an account.</summary>
public static class SignInLimits
{
    /// <summary>No account name is longer (Identity's column is 256).</summary>
    public const int MaxUserNameLength = 256;

    /// <summary>Hashing a megabyte password would cost the server, not the caller.</summary>
    public const int MaxPasswordLength = 1024;

    /// <summary>The largest sign-in request body read (user name, password and JSON around them).</summary>
    public const long MaxBodyBytes = 16 * 1024;

    private static readonly byte[] RefusalBody = Encoding.UTF8.GetBytes(
        """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.2","title":"Sign-in failed","status":401,"detail":"wrong user name or password, or the account cannot sign in now"}""");

    private static string? _dummyHash;

    /// <summary>The one answer to every failed sign-in: same status, same headers, same bytes.</summary>
    public static IResult Refusal { get; } = new FixedRefusal();

    /// <summary>Verifies <paramref name="password"/> against a hash no account has, costing what a real check costs.</summary>
    public static void SpendOneHash(UserManager<HubUser> users, string password)
    {
        // Made by the hub's own hasher, so it costs the configured iterations; a race only makes two equal hashes.
        var hash = _dummyHash ??= users.PasswordHasher.HashPassword(new HubUser(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        users.PasswordHasher.VerifyHashedPassword(new HubUser(), hash, password.Length > MaxPasswordLength ? password[..MaxPasswordLength] : password);
    }

    private sealed class FixedRefusal : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status401Unauthorized;
            httpContext.Response.ContentType = "application/problem+json";
            httpContext.Response.ContentLength = RefusalBody.Length;
            return httpContext.Response.Body.WriteAsync(RefusalBody).AsTask();
        }
    }
}
