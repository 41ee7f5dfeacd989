using System.Text.Json.Serialization;
using CameraHub.CameraRegistry.Access;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CameraHub.StreamBroker;

/// <summary>Composition of the broker module: services and routes.</summary>
public static class BrokerModule
{
    /// <summary>
    /// Registers the live broker. Needs from the host: <see cref="CameraRegistry.Access.IAccessPolicy"/>,
    /// <see cref="CameraRegistry.Audit.IAuditLog"/>, <see cref="CameraRegistry.Cameras.ICameraDirectory"/>, a
    /// <see cref="TimeProvider"/>, and optionally <see cref="CameraRegistry.Access.IAccessChangeFeed"/>s.
    /// </summary>
    public static IServiceCollection AddStreamBroker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<Microsoft.AspNetCore.SignalR.IUserIdProvider, Events.UserNameIdProvider>();
        services.AddOptions<BrokerOptions>().Bind(configuration.GetSection(BrokerOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AccessGate>();
        // Camera states as names ("Offline"), like the HTTP API, so the console needs no enum table.
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.TryAddSingleton<IBrokerEvents, SignalRBrokerEvents>();
        // The ONVIF module (AddOnvif) asks cameras for keyframes; without it upstreams wait for the camera's own.
        services.TryAddSingleton<IKeyframeRequests, NoKeyframeRequests>();
        services.AddSingleton<PathManager>();
        // Fail closed: without the masking module's masks, a camera that requires masking is never shown.
        services.TryAddSingleton<Masked.IFeedMasks, Masked.NoFeedMasks>();
        services.TryAddSingleton<CameraRegistry.Access.IPictureFeeds, CameraRegistry.Access.UnliftedPictureFeeds>();
        services.AddSingleton<Masked.MaskedFeeds>();
        services.AddOptions<CameraMasks.CameraMaskOptions>().Bind(configuration.GetSection(CameraMasks.CameraMaskOptions.Section));
        services.AddSingleton<CameraMasks.CameraMaskTrust>();
        services.AddSingleton<CameraRegistry.Reports.ICameraMaskSites>(sp => sp.GetRequiredService<CameraMasks.CameraMaskTrust>());
        services.AddSingleton<CameraMasks.CameraMaskWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<CameraMasks.CameraMaskWatch>());
        // Which node pulls a camera (issue #17): the registry's (or the cluster's) answer; alone, this node holds every camera.
        services.TryAddSingleton<CameraRegistry.Cluster.ICameraOwners, CameraRegistry.Cluster.LocalCameraOwners>();
        services.TryAddSingleton<Sessions.SessionTickets>();
        services.AddSingleton<LiveSessions>();
        services.AddHostedService<LiveSessionSupervisor>();
        services.AddHostedService<UpstreamRetargeting>();
        services.AddSingleton<WarmUpstreams>();
        services.AddHostedService(sp => sp.GetRequiredService<WarmUpstreams>());
        services.AddMetrics();
        services.AddSingleton<LiveMetrics>();
        services.AddSingleton<Masked.MaskingMetrics>();
        return services;
    }

    /// <summary>
    /// Maps the broker's routes and the /hubs/events hub. Returned in order: POST /api/cameras/{id}/live (authorised
    /// by the policy with HttpContext.User: require authentication on it), the stream routes (authorised by their
    /// session token: leave them anonymous), the status routes, the SignalR hub.
    /// </summary>
    public static IReadOnlyList<IEndpointConventionBuilder> MapStreamBroker(this IEndpointRouteBuilder routes) =>
    [
        routes.MapOpenLiveSession(),
        routes.MapLiveStreams(),
        routes.MapLiveStatus(),
        routes.MapHub<CameraEventsHub>("/hubs/events"),
    ];
}
