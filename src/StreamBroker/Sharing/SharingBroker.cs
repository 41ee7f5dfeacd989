using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>Composition of partner streaming on the broker side: sessions, their supervisor, the RTSP server and partner HLS.</summary>
public static class SharingBroker
{
    /// <summary>
    /// Registers partner sessions and, when <c>CameraHub:RtspPort</c> is above 0, the RTSP server. Needs the broker
    /// (<see cref="BrokerModule.AddStreamBroker"/>) and the registry's <see cref="CameraRegistry.Sharing.ISharingPolicy"/>.
    /// </summary>
    public static IServiceCollection AddPartnerStreaming(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RtspServerOptions>().Bind(configuration.GetSection("CameraHub"));
        services.AddSingleton<PartnerSessions>();
        services.AddSingleton<PartnerHlsReaders>();
        services.AddHostedService(sp => sp.GetRequiredService<PartnerHlsReaders>());
        services.AddHostedService<PartnerSessionSupervisor>();
        services.AddSingleton<RtspServer>();
        services.AddHostedService(sp => sp.GetRequiredService<RtspServer>());
        return services;
    }
}
