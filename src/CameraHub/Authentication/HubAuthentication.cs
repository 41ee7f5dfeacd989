using System.Security.Claims;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CameraHub.Authentication;

/// <summary>
/// Sign-in for people and programs: Identity cookies for the console, the hub's bearer tokens for API clients, and
/// optionally a municipal identity provider's JWTs (CameraHub:Authentication:Municipal:Authority/Audience), whose
/// users must also have a local account (roles and organisation come from it).
/// </summary>
public static class HubAuthentication
{
    public const string Scheme = "CameraHub";
    public const string MunicipalScheme = "Municipal";

    public static IServiceCollection AddHubAuthentication(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.AddSingleton(sp => new TokenIssuer(
            SecretBlobStore.For(sp.GetService<HubDatabase>(), Path.Combine(dataDirectory, "keys")), sp.GetRequiredService<IDataProtectionProvider>(), sp.GetRequiredService<TimeProvider>()));
        var municipal = configuration.GetSection("CameraHub:Authentication:Municipal");
        var municipalAuthority = municipal["Authority"];

        var auth = services.AddAuthentication(o =>
        {
            o.DefaultScheme = Scheme;
            o.DefaultChallengeScheme = Scheme;
        });
        auth.AddPolicyScheme(Scheme, "Cookie or bearer", o => o.ForwardDefaultSelector = http =>
        {
            var header = http.Request.Headers.Authorization.ToString();
            if (header.Length == 0 && http.Request.Path.StartsWithSegments("/hubs", StringComparison.Ordinal) && http.Request.Query.ContainsKey("access_token"))
            {
                return JwtBearerDefaults.AuthenticationScheme;
            }

            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return IdentityConstants.ApplicationScheme;
            }

            var raw = header["Bearer ".Length..].Trim();
            var handler = new JsonWebTokenHandler();
            return municipalAuthority is not null && handler.CanReadToken(raw) && handler.ReadJsonWebToken(raw).Issuer != TokenIssuer.Issuer
                ? MunicipalScheme
                : JwtBearerDefaults.AuthenticationScheme;
        });
        auth.AddIdentityCookies(c => c.ApplicationCookie?.Configure(o =>
        {
            o.Cookie.Name = "camerahub";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            // An API answers 401/403, it does not redirect to a login page.
            o.Events.OnRedirectToLogin = ctx => { ctx.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        }));
        auth.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TokenIssuer, TimeProvider>((o, issuer, time) =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = TokenIssuer.Issuer,
                ValidAudience = TokenIssuer.Audience,
                IssuerSigningKey = issuer.SigningKey,
                NameClaimType = ClaimTypes.Name,
                RoleClaimType = ClaimTypes.Role,
                ClockSkew = TimeSpan.FromSeconds(30),
                // Lifetimes are checked against the hub's clock (TimeProvider), the same clock that issued them.
                LifetimeValidator = (notBefore, expires, _, _) =>
                {
                    var now = time.GetUtcNow().UtcDateTime;
                    return (notBefore is null || notBefore <= now.AddSeconds(30)) && expires is not null && now < expires.Value.AddSeconds(30);
                },
            };
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = RequireEnabledLocalAccountAsync,
                // Browsers cannot set headers on WebSocket connections: SignalR sends the token as access_token.
                OnMessageReceived = context =>
                {
                    if (context.HttpContext.Request.Path.StartsWithSegments("/hubs", StringComparison.Ordinal)
                        && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                },
            };
        });

        if (municipalAuthority is not null)
        {
            auth.AddJwtBearer(MunicipalScheme, o =>
            {
                o.Authority = municipalAuthority;
                o.Audience = municipal["Audience"];
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = municipal["UserNameClaim"] ?? "preferred_username";
                o.Events = new JwtBearerEvents { OnTokenValidated = RequireEnabledLocalAccountAsync };
            });
        }

        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddAuthorization();
        services.AddSignInRateLimit(configuration);
        return services;
    }

    /// <summary>A token is honoured only while its user exists locally and is enabled; roles come from the account.</summary>
    private static async Task RequireEnabledLocalAccountAsync(TokenValidatedContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var users = context.HttpContext.RequestServices.GetRequiredService<UserManager<HubUser>>();
        var user = name is null ? null : await users.FindByNameAsync(name);
        if (user is null || user.Disabled)
        {
            context.Fail($"user '{name}' is unknown or disabled");
            return;
        }

        var identity = new ClaimsIdentity(context.Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaims(await ClaimsForAsync(users, user));
        context.Principal = new ClaimsPrincipal(identity);
    }

    /// <summary>The claims every sign-in carries: name, roles, organisation.</summary>
    public static async Task<List<Claim>> ClaimsForAsync(UserManager<HubUser> users, HubUser user)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.UserName!), new(ClaimTypes.NameIdentifier, user.Id) };
        claims.AddRange((await users.GetRolesAsync(user)).Select(r => new Claim(ClaimTypes.Role, r)));
        if (user.OrganisationId is not null)
        {
            claims.Add(new Claim(HubRoles.OrganisationClaim, user.OrganisationId));
        }

        return claims;
    }
}
