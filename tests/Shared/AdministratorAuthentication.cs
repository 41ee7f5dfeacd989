using Microsoft.Extensions.Logging;

namespace CameraHub.Tests.Shared;

/// <summary>
/// Authenticates every request as the administrator "admin" (the host under test must create that account): for module
/// tests about something other than sign-in. Sign-in itself is tested against the real host in CameraHub.Tests.
/// </summary>
public sealed class AdministratorAuthentication(
    Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    System.Text.Encodings.Web.UrlEncoder encoder)
    : Microsoft.AspNetCore.Authentication.AuthenticationHandler<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestAdministrator";

    protected override Task<Microsoft.AspNetCore.Authentication.AuthenticateResult> HandleAuthenticateAsync()
    {
        var identity = new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Name, "admin"), new(System.Security.Claims.ClaimTypes.Role, CameraRegistry.Identity.HubRoles.Administrator)],
            SchemeName, System.Security.Claims.ClaimTypes.Name, System.Security.Claims.ClaimTypes.Role);
        return Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.Success(
            new Microsoft.AspNetCore.Authentication.AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(identity), SchemeName)));
    }
}
