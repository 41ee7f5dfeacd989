using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Onvif.Discovery;
using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>
/// The multicast probe, run where multicast cannot leave the machine: a network namespace this test creates with
/// only a loopback interface (ENVIRONMENT.md's rule). Sockets are created on a thread moved into the namespace and
/// stay there; the rest of the test process keeps the host's network.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WsDiscoveryMulticastTests : IAsyncLifetime
{
    private const int CloneNewNet = 0x40000000;
    private readonly string _namespace = $"chub-{Guid.NewGuid():N}"[..15];

    public async Task InitializeAsync()
    {
        await IpAsync("netns", "add", _namespace);
        await IpAsync("-n", _namespace, "link", "set", "lo", "up");
        await IpAsync("-n", _namespace, "link", "set", "lo", "multicast", "on");
        await IpAsync("-n", _namespace, "route", "add", "239.0.0.0/8", "dev", "lo");
    }

    public Task DisposeAsync() => IpAsync("netns", "del", _namespace);

    [Fact]
    public async Task A_multicast_probe_on_the_chosen_interface_finds_a_camera_listening_on_the_group()
    {
        var (camera, probe) = InNamespace(() =>
        {
            var listener = new UdpClient(AddressFamily.InterNetwork);
            listener.Client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Client.Bind(new IPEndPoint(IPAddress.Any, WsDiscoveryProbe.MulticastGroup.Port));
            listener.JoinMulticastGroup(WsDiscoveryProbe.MulticastGroup.Address, IPAddress.Loopback);
            return (listener, new WsDiscoveryProbe(TimeProvider.System).ProbeMulticastAsync(IPAddress.Loopback, TimeSpan.FromSeconds(2), CancellationToken.None));
        });
        using var _ = camera;

        // The camera side: answer the probe that arrived on the group, unicast back to the sender, as devices do.
        var request = await camera.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var reply = DiscoveryResponder.ProbeMatches("uuid:probe", "urn:uuid:namespace-camera",
            ["onvif://www.onvif.org/name/Multicast%20kamera", "onvif://www.onvif.org/Profile/Streaming"], "http://127.0.0.1:8080/onvif/device_service");
        await camera.SendAsync(Encoding.UTF8.GetBytes(reply), request.RemoteEndPoint);

        var device = Assert.Single(await probe);
        Assert.Contains("dn:NetworkVideoTransmitter", Encoding.UTF8.GetString(request.Buffer));
        Assert.Equal("Multicast kamera", device.Name);
        Assert.Equal("http://127.0.0.1:8080/onvif/device_service", device.XAddrs[0].ToString());
    }

    private T InNamespace<T>(Func<T> create)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{_namespace}");
                if (SetNamespace((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), "setns");
                }

                result = create();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? result : throw new InvalidOperationException("could not work inside the test's network namespace", error);
    }

    private static async Task IpAsync(params string[] arguments)
    {
        var (code, _, errors) = await Tool.RunApartAsync("ip", arguments, TimeSpan.FromSeconds(10), Path.GetTempPath());
        Assert.True(code == 0, $"ip {string.Join(' ', arguments)}: {errors} (the multicast test needs root and iproute2)");
    }

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNamespace(int fd, int nstype);
}
