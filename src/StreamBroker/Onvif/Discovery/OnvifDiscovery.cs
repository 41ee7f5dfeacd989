using System.Net;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.StreamBroker.Onvif.Probing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Onvif.Discovery;

/// <summary>Finds ONVIF devices on the local network that the registry does not know yet.</summary>
public sealed class OnvifDiscovery(WsDiscoveryProbe probe, RegistryDbContext db, IOptions<OnvifOptions> options)
{
    /// <summary>
    /// Probes <paramref name="target"/> (directed unicast) or multicasts from <paramref name="interfaceAddress"/>
    /// (default: the configured interface) and drops devices whose address a registry camera already uses.
    /// </summary>
    public async Task<IReadOnlyList<DiscoveredDevice>> FindUnregisteredAsync(IPEndPoint? target, IPAddress? interfaceAddress, CancellationToken ct)
    {
        var wait = TimeSpan.FromSeconds(options.Value.DiscoveryWaitSeconds);
        IReadOnlyList<DiscoveredDevice> found;
        if (target is not null)
        {
            found = await probe.ProbeAsync(target, wait, ct);
        }
        else
        {
            var iface = interfaceAddress
                ?? (IPAddress.TryParse(options.Value.DiscoveryInterface, out var configured) ? configured : null)
                ?? throw new ArgumentException("Name the interface to multicast from (interface=ADDRESS or CameraHub:Onvif:DiscoveryInterface), or a device to ask (target=HOST:PORT).");
            found = await probe.ProbeMulticastAsync(iface, wait, ct);
        }

        var known = (await db.Cameras.AsNoTracking().Where(c => c.OnvifUrl != null).Select(c => c.OnvifUrl!).ToListAsync(ct))
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Authority : null)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. found.Where(d => !d.XAddrs.Any(x => known.Contains(x.Authority)))];
    }
}
