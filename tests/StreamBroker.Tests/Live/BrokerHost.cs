using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>
/// The broker in a minimal web host on 127.0.0.1 with test doubles for policy, audit, directory and access feed.
/// The caller's name comes from the X-Test-User header (the host's real authentication is the lead's part).
/// </summary>
public sealed class BrokerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BrokerHost(WebApplication app, Uri address, TestPolicy policy, TestAudit audit, TestDirectory cameras, TestAccessFeed feed)
    {
        _app = app;
        Policy = policy;
        Audit = audit;
        Cameras = cameras;
        AccessFeed = feed;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>How long a test waits for something a camera or a viewer should do within seconds.</summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(20);

    public Uri Address { get; }

    public HttpClient Http { get; }

    public TestPolicy Policy { get; }

    public TestAudit Audit { get; }

    public TestDirectory Cameras { get; }

    public TestAccessFeed AccessFeed { get; }

    public PathManager Paths => _app.Services.GetRequiredService<PathManager>();

    public LiveSessions Sessions => _app.Services.GetRequiredService<LiveSessions>();

    /// <summary>Starts the host; <paramref name="services"/> adds modules before the broker's (e.g. AddOnvif).</summary>
    public static async Task<BrokerHost> StartAsync(Dictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? services = null)
    {
        var builder = CreateBuilder(new() { ["CameraHub:Broker:StallTimeout"] = "00:00:05" }, settings);

        var policy = new TestPolicy();
        var audit = new TestAudit();
        var cameras = new TestDirectory();
        var feed = new TestAccessFeed();
        builder.Services.AddSingleton<IAccessPolicy>(policy);
        builder.Services.AddSingleton<IAuditLog>(audit);
        builder.Services.AddSingleton<ICameraDirectory>(cameras);
        builder.Services.AddSingleton<IAccessChangeFeed>(feed);
        services?.Invoke(builder);
        builder.Services.AddStreamBroker(builder.Configuration);

        var app = builder.Build();
        app.UseWebSockets();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot")) });
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue("X-Test-User", out var user))
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user.ToString())], "test"));
            }

            return next(context);
        });
        app.MapStreamBroker();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BrokerHost(app, new Uri(address), policy, audit, cameras, feed);
    }

    /// <summary>A camera id unique to the test, also the marker of its ffmpeg process.</summary>
    public static string NewCameraId() => $"cam-{Guid.NewGuid():N}"[..16];

    /// <summary>Registers camera <paramref name="id"/> at <paramref name="rtspUrl"/> with a live grant for <paramref name="user"/>.</summary>
    public void AddWatchableCamera(string id, string rtspUrl, RtspTransport transport = RtspTransport.Tcp, string user = "traffic")
    {
        Cameras.Add(id, rtspUrl, transport);
        Policy.Grant(user, id);
    }

    /// <summary>
    /// A web host on 127.0.0.1 and a free port with the broker's timings shortened for tests (idle grace 1 s, reconnects
    /// within 0.5–2 s), then <paramref name="module"/>'s settings, then the test's own.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(Dictionary<string, string?> module, Dictionary<string, string?>? settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CameraHub:Broker:IdleGrace"] = "00:00:01",
            ["CameraHub:Broker:ReconnectMinDelay"] = "00:00:00.500",
            ["CameraHub:Broker:ReconnectMaxDelay"] = "00:00:02",
        });
        builder.Configuration.AddInMemoryCollection(module);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        return builder;
    }

    /// <summary>GET /api/cameras/{id}/viewers as <paramref name="user"/> (who must have a right on the camera).</summary>
    public async Task<CameraLiveStatus> ViewersAsync(string cameraId, string user = "traffic")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/cameras/{cameraId}/viewers");
        request.Headers.Add("X-Test-User", user);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CameraLiveStatus>(System.Text.Json.JsonSerializerOptions.Web))!;
    }

    /// <summary>POST /api/cameras/{id}/live as <paramref name="user"/>.</summary>
    public async Task<HttpResponseMessage> PostLiveAsync(string user, string cameraId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cameras/{cameraId}/live");
        request.Headers.Add("X-Test-User", user);
        return await Http.SendAsync(request);
    }

    public async Task<LiveSessionResponse> OpenSessionAsync(string user, string cameraId)
    {
        using var response = await PostLiveAsync(user, cameraId);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<LiveSessionResponse>(JsonSerializerOptions.Web))!;
    }

    public async Task<WsViewer> WatchAsync(string user, string cameraId)
    {
        var session = await OpenSessionAsync(user, cameraId);
        return await WsViewer.ConnectAsync(new Uri(session.WebSocketUrl));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A WebSocket viewer that reads everything in the background and keeps the MP4 bytes and control events.</summary>
public sealed class WsViewer : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly MemoryStream _media = new();
    private readonly List<string> _events = [];
    private readonly Task _pump;
    private int _binaryMessages;

    private WsViewer(ClientWebSocket socket)
    {
        _socket = socket;
        _pump = Task.Run(PumpAsync);
    }

    public int BinaryMessages => Volatile.Read(ref _binaryMessages);

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public bool Closed => _pump.IsCompleted;

    public string? CloseReason => _socket.CloseStatusDescription;

    public static async Task<WsViewer> ConnectAsync(Uri url)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, CancellationToken.None);
        return new WsViewer(socket);
    }

    public byte[] Media()
    {
        lock (_media)
        {
            return _media.ToArray();
        }
    }

    public Task<bool> WaitForMessagesAsync(int count, TimeSpan timeout) => Processes.EventuallyAsync(() => BinaryMessages >= count, timeout);

    public Task<bool> WaitForEventAsync(string type, TimeSpan timeout, int count = 1) =>
        Processes.EventuallyAsync(() => CountEvents(type) >= count, timeout);

    /// <summary>How many text events of <paramref name="type"/> the viewer has received so far.</summary>
    public int CountEvents(string type) => Events.Count(e => e.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal));

    private async Task PumpAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    lock (_events)
                    {
                        _events.Add(Encoding.UTF8.GetString(message.ToArray()));
                    }
                }
                else
                {
                    lock (_media)
                    {
                        message.Position = 0;
                        message.CopyTo(_media);
                    }

                    Interlocked.Increment(ref _binaryMessages);
                }

                message.SetLength(0);
            }
        }
        catch (WebSocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
            {
            }
        }

        _socket.Abort();
        await _pump.WaitAsync(TimeSpan.FromSeconds(5));
        _socket.Dispose();
    }
}
