using System.Net;
using System.Net.Sockets;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>Where the partner RTSP server listens (<c>CameraHub:RtspPort</c>, 0 = off; <c>CameraHub:RtspAddress</c>).</summary>
public sealed class RtspServerOptions
{
    public int RtspPort { get; set; }

    /// <summary>The address to bind; loopback by default (a reverse proxy or firewall rule opens it to partners).</summary>
    public string RtspAddress { get; set; } = "127.0.0.1";
}

/// <summary>What every RTSP connection needs from the host.</summary>
/// <remarks><c>Owners</c> says which node holds a camera (a DESCRIBE for one held elsewhere is redirected there); <c>RtspPort</c> is the port every node listens on.</remarks>
internal sealed record RtspContext(
    ISharingPolicy Policy, ICameraDirectory Cameras, MaskedFeeds Feeds, PartnerSessions Sessions, IAuditLog Audit,
    BrokerOptions Broker, TimeProvider Time, ILogger Logger, ICameraOwners? Owners = null, int RtspPort = 0);

/// <summary>
/// The hub's RTSP server for partner systems: rtsp://HOST:PORT/{cameraId}, TCP-interleaved RTP, digest authentication.
/// Each connection attaches as a reader of the camera's existing path (no second upstream, no transcoding), or of its
/// masked re-encode when the camera's masking profile requires one (<see cref="MaskedFeeds"/>).
/// </summary>
public sealed class RtspServer(
    IOptions<RtspServerOptions> options, IOptions<BrokerOptions> broker, ISharingPolicy policy, ICameraDirectory cameras, MaskedFeeds feeds,
    PartnerSessions sessions, IAuditLog audit, TimeProvider time, ILoggerFactory loggers, ICameraOwners? owners = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<RtspServer>();
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();
    private TcpListener? _listener;

    /// <summary>The bound endpoint once started (the port is real even when 0 was configured in tests).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndpoint as IPEndPoint;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RtspPort <= 0)
        {
            return Task.CompletedTask;
        }

        _listener = new TcpListener(IPAddress.Parse(options.Value.RtspAddress), options.Value.RtspPort);
        _listener.Start();
        _logger.LogInformation("Partner RTSP server listening on rtsp://{Address}:{Port}/{{cameraId}}", options.Value.RtspAddress, options.Value.RtspPort);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is null)
        {
            return;
        }

        var context = new RtspContext(policy, cameras, feeds, sessions, audit, broker.Value, time, loggers.CreateLogger<RtspSession>(), owners, options.Value.RtspPort);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(stoppingToken);
                var task = Task.Run(() => new RtspSession(client, context).RunAsync(stoppingToken), CancellationToken.None);
                lock (_gate)
                {
                    _connections.RemoveAll(t => t.IsCompleted);
                    _connections.Add(task);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            _listener.Stop();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Task[] open;
        lock (_gate)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open);
    }
}
