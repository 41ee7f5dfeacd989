using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Processes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.FakeCamera;

/// <summary>
/// One fake camera on 127.0.0.1: an ONVIF device service (Kestrel, free port), a WS-Discovery responder, and a real
/// RTSP stream. Disposing stops all three and kills the RTSP server's process tree.
/// </summary>
public sealed class SimulatedCamera : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly DiscoveryResponder _discovery;
    private readonly RtspTestPattern? _rtsp;
    private readonly ILogger _logger;

    private SimulatedCamera(FakeCameraOptions options, WebApplication web, DiscoveryResponder discovery, RtspTestPattern? rtsp, Uri baseUri, ILogger logger)
    {
        Options = options;
        _web = web;
        _discovery = discovery;
        _rtsp = rtsp;
        _logger = logger;
        DeviceServiceUri = new Uri(baseUri, SimulatedDevice.DevicePath);
    }

    public FakeCameraOptions Options { get; }

    /// <summary>http://127.0.0.1:PORT/onvif/device_service.</summary>
    public Uri DeviceServiceUri { get; }

    /// <summary>The camera's event service, to script motion, tamper and input events; null when it offers none.</summary>
    public FakeEventService? Events { get; private init; }

    /// <summary>The camera's Media2 privacy masks; null when it offers none.</summary>
    public FakeMedia2Masks? Masks { get; private init; }

    /// <summary>The simulated device (SetSynchronizationPoint count and the like).</summary>
    public SimulatedDevice? Device { get; private init; }

    /// <summary>rtsp://127.0.0.1:PORT/stream, or null when the camera runs without video.</summary>
    public Uri? RtspUri => _rtsp?.Uri;

    /// <summary>Where a directed WS-Discovery probe reaches this camera.</summary>
    public System.Net.IPEndPoint DiscoveryEndpoint => _discovery.Endpoint;

    /// <summary>The RTSP server's process id, when it runs.</summary>
    public int? RtspProcessId => _rtsp?.ProcessId;

    /// <summary>Starts the camera; <paramref name="time"/> is the camera's clock before <see cref="FakeCameraOptions.ClockOffset"/>.</summary>
    public static async Task<SimulatedCamera> StartAsync(FakeCameraOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        loggers ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        var logger = loggers.CreateLogger($"FakeCamera.{options.CameraId}");
        RtspTestPattern? rtsp = options.StartRtsp && options.Replay is null
            ? await RtspTestPattern.StartAsync(options.Name, options.Width, options.Height, options.FramesPerSecond, options.KeyframeInterval, "smpte", logger, ct,
                privacyMasks: options.PrivacyMasks == FakeMaskSupport.Applied)
            : null;
        try
        {
            var device = new SimulatedDevice(options, time, () => rtsp?.Uri, rtsp is null ? null : rtsp.ForceKeyframeAsync, (masks, token) => rtsp is null
                ? Task.CompletedTask
                : rtsp.DrawMasksAsync([.. masks.Select(m => ((IReadOnlyList<(double, double)>)[.. m.Polygon.Select(p => (p.X, p.Y))], FakeMedia2Masks.Rgb(m.Color)))], token));
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            // Inside the hub or a test the camera must not react to the process's Ctrl+C/SIGTERM on its own: its owner disposes it.
            builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
            builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
            var web = builder.Build();
            var credentials = new OnvifCredentials(options.Username, options.Password);
            if (options.Replay is { } replay)
            {
                // Real devices put services on many paths (/onvif/Media, /onvif/PTZ…): answer them all.
                web.MapPost("/{**path}", (HttpContext http) => replay.HandleAsync(http, credentials));
            }
            else
            {
                web.MapPost(SimulatedDevice.DevicePath, device.HandleAsync);
                web.MapPost(SimulatedDevice.MediaPath, device.HandleAsync);
                web.MapPost(SimulatedDevice.Media2Path, device.HandleAsync);
                web.MapPost(SimulatedDevice.RecordingPath, device.HandleAsync);
                web.MapPost(SimulatedDevice.ReplayPath, device.HandleAsync);
                web.MapGet(SimulatedDevice.SnapshotPath, (HttpContext http) => SnapshotAsync(http, rtsp?.Uri, logger));
                if (device.Events is { } events)
                {
                    web.MapPost(FakeEventService.EventsPath, device.HandleAsync);
                    web.MapPost(FakeEventService.SubscriptionPath + "/{id}", device.HandleAsync);
                    // Scripting from outside (a browser test, the bench, a demo): POST /fake/events/Motion?state=true.
                    web.MapPost("/fake/events/{kind}", (FakeEvent kind, bool? state) =>
                    {
                        events.Emit(kind, state ?? true);
                        return Results.NoContent();
                    });
                }
            }

            await web.StartAsync(ct);
            var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var baseUri = new Uri(address);
            var deviceUri = new Uri(baseUri, SimulatedDevice.DevicePath);
            var endpointReference = $"urn:uuid:{DeterministicGuid(options.CameraId)}";
            var discovery = DiscoveryResponder.Start(
                messageId => options.Replay?.ProbeMatches
                    ?? DiscoveryResponder.ProbeMatches(messageId, endpointReference, device.Scopes(), deviceUri.ToString()),
                logger);
            logger.LogInformation("fake camera {Camera}: ONVIF {Onvif}, RTSP {Rtsp}", options.CameraId, deviceUri, rtsp?.Uri);
            return new SimulatedCamera(options, web, discovery, rtsp, baseUri, logger) { Events = device.Events, Masks = device.Masks, Device = device };
        }
        catch
        {
            if (rtsp is not null)
            {
                await rtsp.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _discovery.DisposeAsync();
        await _web.StopAsync(CancellationToken.None);
        await _web.DisposeAsync();
        if (_rtsp is not null)
        {
            await _rtsp.DisposeAsync();
        }

        _logger.LogDebug("fake camera {Camera} stopped", Options.CameraId);
    }

    /// <summary>A JPEG grabbed from the camera's own RTSP stream by ffmpeg, as a real camera's snapshot URI serves.</summary>
    private static async Task SnapshotAsync(HttpContext http, Uri? rtsp, ILogger logger)
    {
        if (rtsp is null)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        await using var ffmpeg = FfmpegProcess.Start("ffmpeg",
            ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", rtsp.ToString(), "-frames:v", "1", "-f", "mjpeg", "pipe:1"],
            logger, "snapshot");
        using var jpeg = new MemoryStream();
        await ffmpeg.StandardOutput.CopyToAsync(jpeg, http.RequestAborted);
        if (await ffmpeg.Exited != 0 || jpeg.Length == 0)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        http.Response.ContentType = "image/jpeg";
        await http.Response.Body.WriteAsync(jpeg.ToArray(), http.RequestAborted);
    }

    /// <summary>A host lifetime that leaves signals to whoever owns the camera.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static Guid DeterministicGuid(string text)
    {
        // Same camera id, same endpoint reference across restarts, as a real device keeps its UUID.
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));
        return new Guid(hash.AsSpan(0, 16));
    }
}
