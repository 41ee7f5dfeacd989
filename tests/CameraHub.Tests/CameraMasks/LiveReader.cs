using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using CameraHub.StreamBroker.Live;
using CameraHub.Tests.Infrastructure;

namespace CameraHub.Tests.CameraMasks;

/// <summary>A person watching a camera live over the WebSocket in the background until disposed (keeps its path open).</summary>
internal sealed class LiveReader : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;

    public int Fragments { get; private set; }

    /// <summary>The hub closed the socket (the session was ended) before we stopped reading.</summary>
    public bool Ended => _reading.IsCompleted && !_stop.IsCancellationRequested;

    public static async Task<LiveReader> OpenAsync(HttpClient client, string camera)
    {
        using var opened = await client.PostAsync($"api/cameras/{camera}/live", null);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;
        var reader = new LiveReader();
        await reader._socket.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        reader._reading = reader.ReadAsync();
        return reader;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.EndOfMessage && result.MessageType == WebSocketMessageType.Binary)
                {
                    Fragments++;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // stopped, or the hub ended the session
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _socket.Abort();
        _socket.Dispose();
        _stop.Dispose();
    }
}
