using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>A TCP "camera" on 127.0.0.1 that misbehaves: answers garbage, or accepts and then says nothing at all.</summary>
public sealed class BadCamera : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _accept;

    private BadCamera(bool garbage)
    {
        _listener.Start();
        _accept = AcceptAsync(garbage);
    }

    public string Url => $"rtsp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/cam";

    public static BadCamera Garbage() => new(garbage: true);

    public static BadCamera Silent() => new(garbage: false);

    private async Task AcceptAsync(bool garbage)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_clients)
                {
                    _clients.Add(client);
                }

                if (garbage)
                {
                    var junk = Encoding.ASCII.GetBytes("HELLO THIS IS NOT RTSP\r\n\0\0\x01\xff garbage garbage\r\n\r\n");
                    await client.GetStream().WriteAsync(junk, _stop.Token);
                    client.Close();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        lock (_clients)
        {
            foreach (var c in _clients)
            {
                c.Dispose();
            }
        }

        _stop.Dispose();
    }
}
