using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif.Discovery;

/// <summary>An ONVIF device that answered a WS-Discovery Probe; <c>RespondedFrom</c> is the "address:port" the answer came from.</summary>
public sealed record DiscoveredDevice(
    string EndpointReference, IReadOnlyList<Uri> XAddrs, IReadOnlyList<string> Scopes, IReadOnlyList<string> Types, string? RespondedFrom = null)
{
    /// <summary>The onvif://www.onvif.org/name/… scope, unescaped (devices put spaces in as %20).</summary>
    public string? Name => Scope("name");

    /// <summary>The onvif://www.onvif.org/hardware/… scope (usually the model).</summary>
    public string? Hardware => Scope("hardware");

    /// <summary>The ONVIF profiles (S, G, T…) the device claims in its scopes.</summary>
    public IReadOnlyList<string> Profiles =>
        [.. Scopes.Where(s => s.StartsWith("onvif://www.onvif.org/Profile/", StringComparison.OrdinalIgnoreCase)).Select(s => s[(s.LastIndexOf('/') + 1)..])];

    private string? Scope(string kind)
    {
        var prefix = $"onvif://www.onvif.org/{kind}/";
        var scope = Scopes.FirstOrDefault(s => s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
        return scope is null || scope.Length == prefix.Length ? null : Uri.UnescapeDataString(scope[prefix.Length..]);
    }
}

/// <summary>
/// WS-Discovery Probe for NetworkVideoTransmitters: multicast on one chosen interface, or a directed unicast probe to
/// one address (which is also how tests run it: multicast never leaves the machine from a test).
/// </summary>
public sealed class WsDiscoveryProbe(TimeProvider time)
{
    /// <summary>The WS-Discovery multicast group and port.</summary>
    public static readonly IPEndPoint MulticastGroup = new(IPAddress.Parse("239.255.255.250"), 3702);

    private static readonly XNamespace Wsa = OnvifNamespaces.Addressing;
    private static readonly XNamespace Wsd = OnvifNamespaces.Discovery;

    /// <summary>Sends one Probe to <paramref name="target"/> and collects the matches that arrive within <paramref name="wait"/>.</summary>
    public Task<IReadOnlyList<DiscoveredDevice>> ProbeAsync(IPEndPoint target, TimeSpan wait, CancellationToken ct)
    {
        var local = IPAddress.IsLoopback(target.Address) ? IPAddress.Loopback : IPAddress.Any;
        return RunAsync(new IPEndPoint(local, 0), target, multicastInterface: null, wait, ct);
    }

    /// <summary>Multicasts one Probe out of the interface with <paramref name="interfaceAddress"/> (TTL 1: this link only).</summary>
    public Task<IReadOnlyList<DiscoveredDevice>> ProbeMulticastAsync(IPAddress interfaceAddress, TimeSpan wait, CancellationToken ct) =>
        RunAsync(new IPEndPoint(interfaceAddress, 0), MulticastGroup, interfaceAddress, wait, ct);

    /// <summary>The Probe message (SOAP 1.2, WS-Addressing 2004/08) asking for dn:NetworkVideoTransmitter.</summary>
    public static string BuildProbe(Guid messageId)
    {
        var s = OnvifNamespaces.Soap12;
        XNamespace dn = OnvifNamespaces.NetworkWsdl;
        var envelope = new XElement(s + "Envelope",
            new XAttribute(XNamespace.Xmlns + "s", s.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "a", Wsa.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "d", Wsd.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "dn", dn.NamespaceName),
            new XElement(s + "Header",
                new XElement(Wsa + "Action", new XAttribute(s + "mustUnderstand", "1"), "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"),
                new XElement(Wsa + "MessageID", $"uuid:{messageId}"),
                new XElement(Wsa + "ReplyTo", new XElement(Wsa + "Address", "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous")),
                new XElement(Wsa + "To", new XAttribute(s + "mustUnderstand", "1"), "urn:schemas-xmlsoap-org:ws:2005:04:discovery")),
            new XElement(s + "Body", new XElement(Wsd + "Probe", new XElement(Wsd + "Types", "dn:NetworkVideoTransmitter"))));
        return envelope.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>Reads a ProbeMatches message; anything that is not one yields no devices rather than an exception.</summary>
    public static IReadOnlyList<DiscoveredDevice> ParseProbeMatches(string text, IPEndPoint? from = null)
    {
        XDocument document;
        try
        {
            document = SoapEnvelope.ParseXml("ProbeMatches", text);
        }
        catch (OnvifProtocolException)
        {
            return [];
        }

        var matches = document.Root?.Child("Body")?.Child("ProbeMatches");
        if (matches is null)
        {
            return [];
        }

        static string[] Words(string? text) => text?.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries) ?? [];
        return
        [
            .. matches.Children("ProbeMatch").Select(m => new DiscoveredDevice(
                m.Child("EndpointReference")?.ChildText("Address")?.Trim() ?? string.Empty,
                [.. Words(m.ChildText("XAddrs")).Select(x => Uri.TryCreate(x, UriKind.Absolute, out var u) ? u : null).OfType<Uri>()],
                Words(m.ChildText("Scopes")),
                Words(m.ChildText("Types")),
                from?.ToString())),
        ];
    }

    private async Task<IReadOnlyList<DiscoveredDevice>> RunAsync(
        IPEndPoint local, IPEndPoint target, IPAddress? multicastInterface, TimeSpan wait, CancellationToken ct)
    {
        using var socket = new UdpClient(local.AddressFamily);
        socket.Client.Bind(local);
        if (multicastInterface is not null)
        {
            socket.Client.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, multicastInterface.GetAddressBytes());
            socket.Client.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 1);
        }

        var probe = Encoding.UTF8.GetBytes(BuildProbe(Guid.NewGuid()));
        await socket.SendAsync(probe, target, ct);

        var devices = new List<DiscoveredDevice>();
        using var window = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, window.Token);
        try
        {
            while (true)
            {
                var datagram = await socket.ReceiveAsync(linked.Token);
                foreach (var device in ParseProbeMatches(Encoding.UTF8.GetString(datagram.Buffer), datagram.RemoteEndPoint))
                {
                    // Two devices may share one endpoint reference (DVC): tell them apart by their addresses too.
                    if (!devices.Any(d => d.EndpointReference == device.EndpointReference && d.XAddrs.SequenceEqual(device.XAddrs)))
                    {
                        devices.Add(device);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The listening window closed; what arrived is the answer.
        }
        catch (SocketException)
        {
            // ICMP port unreachable on a unicast probe: nobody listens there.
        }

        return devices;
    }
}
