using System.Net.Sockets;
using System.Text;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>
/// A WebSocket client that completes the handshake and then never reads, with a tiny receive buffer: the worst
/// viewer a broker can have (a frozen tab, a phone in a tunnel).
/// </summary>
public sealed class StalledSocket : IDisposable
{
    private readonly Socket _socket;

    private StalledSocket(Socket socket) => _socket = socket;

    public static async Task<StalledSocket> ConnectAsync(Uri webSocketUrl)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await socket.ConnectAsync(webSocketUrl.Host, webSocketUrl.Port);
        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var request = $"GET {webSocketUrl.PathAndQuery} HTTP/1.1\r\nHost: {webSocketUrl.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[1];
        var headers = new StringBuilder();
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(buffer) == 0)
            {
                break;
            }

            headers.Append((char)buffer[0]);
        }

        Assert.StartsWith("HTTP/1.1 101", headers.ToString(), StringComparison.Ordinal);
        return new StalledSocket(socket);
    }

    public void Dispose() => _socket.Dispose();
}
