using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CameraHub.CameraRegistry.Identity;

/// <summary>Adds a camera owner's organisation to the cookie principal.</summary>
public sealed class HubUserClaimsFactory(UserManager<HubUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<HubUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(HubUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.OrganisationId is not null)
        {
            identity.AddClaim(new Claim(HubRoles.OrganisationClaim, user.OrganisationId));
        }

        return identity;
    }
}
