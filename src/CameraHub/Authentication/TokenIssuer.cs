using System.Security.Claims;
using System.Security.Cryptography;
using CameraHub.CameraRegistry.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CameraHub.Authentication;

/// <summary>Issues the hub's own bearer tokens (HMAC-SHA256) with a key created on first use and stored encrypted.</summary>
public sealed class TokenIssuer
{
    public const string Issuer = "CameraHub";
    public const string Audience = "CameraHub.Api";

    private readonly TimeProvider _time;

    public TokenIssuer(SecretBlobStore store, IDataProtectionProvider protection, TimeProvider time)
    {
        _time = time;
        var protector = protection.CreateProtector("CameraHub.TokenSigningKey.v1");
        var key = protector.Unprotect(store.GetOrAdd("token-signing.key", () => protector.Protect(RandomNumberGenerator.GetBytes(32))));

        SigningKey = new SymmetricSecurityKey(key) { KeyId = "camerahub-1" };
    }

    public SymmetricSecurityKey SigningKey { get; }

    /// <summary>How long a bearer token lives.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);

    public string Issue(IEnumerable<Claim> claims)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }
}
