using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.CameraRegistry.Sharing;

/// <summary>Composition of sharing with partner systems on the registry side: the policy and the routes.</summary>
public static class SharingModule
{
    public static IServiceCollection AddSharing(this IServiceCollection services)
    {
        services.AddSingleton<SharingPolicy>();
        services.AddSingleton<ISharingPolicy>(sp => sp.GetRequiredService<SharingPolicy>());
        return services;
    }

    /// <summary>Maps /api/sharing-agreements and /api/partners/{id}/credentials; signed-in users only, finer checks per request.</summary>
    public static IEndpointConventionBuilder MapSharing(this IEndpointRouteBuilder routes) =>
        routes.MapSharingEndpoints().RequireAuthorization();
}
