using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using CameraHub.StreamBroker.Onvif;
using Microsoft.Extensions.Logging;

namespace CameraHub.FakeCamera;

/// <summary>
/// Answers WS-Discovery Probes sent directly (unicast) to 127.0.0.1:PORT with a ProbeMatches, as a camera answers a
/// multicast probe. It never joins the multicast group: tests and the demo keep discovery on this machine.
/// </summary>
public sealed class DiscoveryResponder : IAsyncDisposable
{
    private readonly UdpClient _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private DiscoveryResponder(UdpClient socket, Func<string, string> answer, ILogger logger)
    {
        _socket = socket;
        Endpoint = (IPEndPoint)socket.Client.LocalEndPoint!;
        _loop = Task.Run(() => RunAsync(answer, logger));
    }

    /// <summary>Where to send a directed probe.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Listens on 127.0.0.1 (free port); <paramref name="answer"/> turns a probe's MessageID into the reply.</summary>
    public static DiscoveryResponder Start(Func<string, string> answer, ILogger logger) =>
        new(new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)), answer, logger);

    /// <summary>A ProbeMatches for one device, relating to the probe's MessageID.</summary>
    public static string ProbeMatches(string relatesTo, string endpointReference, IEnumerable<string> scopes, string xaddr)
    {
        XNamespace s = OnvifNamespaces.Soap12;
        XNamespace a = OnvifNamespaces.Addressing;
        XNamespace d = OnvifNamespaces.Discovery;
        XNamespace dn = OnvifNamespaces.NetworkWsdl;
        XNamespace tds = OnvifNamespaces.Device;
        return new XElement(s + "Envelope",
            new XAttribute(XNamespace.Xmlns + "SOAP-ENV", s.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "wsa", a.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "wsdd", d.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "tdn", dn.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "tds", tds.NamespaceName),
            new XElement(s + "Header",
                new XElement(a + "MessageID", $"uuid:{Guid.NewGuid()}"),
                new XElement(a + "RelatesTo", relatesTo),
                new XElement(a + "To", "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"),
                new XElement(a + "Action", "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches")),
            new XElement(s + "Body",
                new XElement(d + "ProbeMatches",
                    new XElement(d + "ProbeMatch",
                        new XElement(a + "EndpointReference", new XElement(a + "Address", endpointReference)),
                        new XElement(d + "Types", "tdn:NetworkVideoTransmitter tds:Device"),
                        new XElement(d + "Scopes", string.Join(' ', scopes)),
                        new XElement(d + "XAddrs", xaddr),
                        new XElement(d + "MetadataVersion", 1))))).ToString(SaveOptions.DisableFormatting);
    }

    private async Task RunAsync(Func<string, string> answer, ILogger logger)
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                logger.LogDebug("discovery responder: {Message}", e.Message);
                continue;
            }

            string messageId;
            try
            {
                var probe = SoapEnvelope.ParseXml("Probe", Encoding.UTF8.GetString(datagram.Buffer)).Root!;
                if (probe.Child("Body")?.Child("Probe") is null)
                {
                    continue;
                }

                messageId = probe.Child("Header")?.ChildText("MessageID")?.Trim() ?? string.Empty;
            }
            catch (OnvifProtocolException)
            {
                continue;
            }

            await _socket.SendAsync(Encoding.UTF8.GetBytes(answer(messageId)), datagram.RemoteEndPoint, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }
}
