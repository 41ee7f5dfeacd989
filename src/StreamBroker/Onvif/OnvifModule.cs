using System.Net;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using CameraHub.StreamBroker.Onvif.Discovery;
using CameraHub.StreamBroker.Onvif.Probing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>Registers the ONVIF client, prober and discovery, and maps their routes.</summary>
public static class OnvifModule
{
    public static IServiceCollection AddOnvif(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OnvifOptions>().Bind(configuration.GetSection("CameraHub:Onvif"));
        services.AddHttpClient(OnvifClientFactory.HttpClientName)
            // Cameras sit on the local network: never through a proxy, never follow a redirect off the device.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
            .ConfigureHttpClient(c =>
            {
                // OnvifClient applies its own per-call timeout (on the TimeProvider); a device answer is never megabytes.
                c.Timeout = Timeout.InfiniteTimeSpan;
                c.MaxResponseContentBufferSize = 4 * 1024 * 1024;
            });
        services.AddSingleton<OnvifClientFactory>();
        // Before AddStreamBroker, whose TryAdd leaves this in place of its no-op.
        services.AddSingleton<Live.IKeyframeRequests, Keyframes.OnvifKeyframeRequests>();
        services.AddSingleton<WsDiscoveryProbe>();
        services.AddScoped<OnvifDiscovery>();
        services.AddScoped<CameraProber>();
        return services;
    }

    /// <summary>POST /api/cameras/{id}/probe and GET /api/onvif/discovery; returns them so the host can add authorisation.</summary>
    public static IReadOnlyList<IEndpointConventionBuilder> MapOnvifEndpoints(this IEndpointRouteBuilder routes)
    {
        var probe = routes.MapPost("/api/cameras/{id}/probe", ProbeAsync).WithName("ProbeCamera").WithTags("Cameras")
            .WithSummary("Contacts the camera over ONVIF and fills vendor, model, firmware, profiles, stream and snapshot URLs and clock skew.");
        var discovery = routes.MapGet("/api/onvif/discovery", DiscoverAsync).WithName("DiscoverOnvifDevices").WithTags("Cameras")
            .WithSummary("ONVIF devices answering a WS-Discovery probe that are not yet in the registry (administrators and camera owners).")
            .RequireAuthorization(p => p.RequireRole(HubRoles.Administrator, HubRoles.CameraOwner));
        return [probe, discovery];
    }

    /// <summary>What the probe endpoint returns: the updated camera and what the probe noticed.</summary>
    public sealed record ProbeResponse(CameraView Camera, double? ClockSkewSeconds, IReadOnlyList<string> Warnings);

    internal static async Task<IResult> ProbeAsync(
        string id, CameraProber prober, CameraCatalogue catalogue, AccessGate gate, HttpContext http, CancellationToken ct)
    {
        // Probing writes the registry entry: it needs the manage right on the camera's owner.
        if (await gate.RefuseUnlessAsync(http, CameraRight.Manage, id, ct) is { } refusal)
        {
            return refusal;
        }

        var outcome = await prober.ProbeAsync(id, CameraEndpoints.Actor(http), http.Connection.RemoteIpAddress?.ToString(), ct);
        return outcome switch
        {
            CameraProbeOutcome.Probed p => TypedResults.Ok(new ProbeResponse(
                CameraView.From(p.Camera, catalogue.Today()), p.Result.ClockSkew?.TotalSeconds, p.Result.Warnings)),
            CameraProbeOutcome.NoOnvif => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict, title: "The camera has no ONVIF address.",
                detail: "Set the camera's onvifUrl (e.g. http://10.0.0.5/onvif/device_service) to probe it; a camera without ONVIF is used through its rtspUrl alone."),
            CameraProbeOutcome.Failed f => Problem(f.Error),
            _ => TypedResults.NotFound(),
        };
    }

    internal static async Task<Results<Ok<IReadOnlyList<DiscoveredDevice>>, ProblemHttpResult>> DiscoverAsync(
        OnvifDiscovery discovery, string? target, string? @interface, CancellationToken ct)
    {
        IPEndPoint? endpoint = null;
        if (target is not null && !IPEndPoint.TryParse(target, out endpoint))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "target must be ADDRESS:PORT, e.g. 192.168.1.20:3702.");
        }

        if (endpoint is { Port: 0 })
        {
            endpoint.Port = WsDiscoveryProbe.MulticastGroup.Port;
        }

        IPAddress? iface = null;
        if (@interface is not null && !IPAddress.TryParse(@interface, out iface))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "interface must be a local IP address, e.g. 192.168.1.10.");
        }

        try
        {
            return TypedResults.Ok(await discovery.FindUnregisteredAsync(endpoint, iface, ct));
        }
        catch (ArgumentException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Where should discovery look?", detail: e.Message);
        }
    }

    private static ProblemHttpResult Problem(OnvifException error) => error switch
    {
        OnvifNotAuthorizedException => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
            title: "The camera refused the credentials.", detail: $"{error.Message}. Check the camera's username and password in the registry."),
        OnvifTimeoutException => TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout,
            title: "The camera did not answer in time.", detail: error.Message),
        OnvifLimitException => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
            title: "The camera's answer was refused: it broke a size limit.", detail: error.Message),
        OnvifConnectionException => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
            title: "The camera could not be reached.", detail: error.Message),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
            title: "The camera gave an answer that could not be used.", detail: error.Message),
    };
}
