using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.Tests.Sharing;

/// <summary>
/// A real hub on Kestrel (127.0.0.1, free ports for HTTP and RTSP) with a GStreamer test-pattern camera behind shared
/// traffic cameras: one plain, one not listed for the partner, one masked by a privacy polygon over the left half,
/// one masked by façade distance without a calibration; an agreement for RTSP and HLS; the partner's credentials.
/// </summary>
public sealed class PartnerFeedHub : IAsyncDisposable
{
    public const int Width = 320;
    public const int Height = 240;

    /// <summary>The privacy polygon of <see cref="Masked"/>: the left half of the picture.</summary>
    public const int MaskedRight = 160;

    private readonly List<Process> _clients = [];

    /// <summary>
    /// Camera ids unique to this hub: the upstream ffmpeg carries its camera id as a marker, and test classes that
    /// start their own hub beside this one must never be counted as this hub's processes.
    /// </summary>
    private readonly string _series = Guid.NewGuid().ToString("N")[..8];

    private PartnerFeedHub(HubFactory hub, RtspTestPattern camera, int rtspPort)
    {
        Hub = hub;
        Camera = camera;
        RtspPort = rtspPort;
    }

    public HubFactory Hub { get; }

    /// <summary>A shared traffic camera listed for the partner, unmasked.</summary>
    public string Shared => $"TRF-P-01-{_series}";

    /// <summary>A traffic camera the partner's agreement does not list.</summary>
    public string NotListed => $"TRF-P-02-{_series}";

    /// <summary>A shared camera with a privacy polygon over the left half.</summary>
    public string Masked => $"TRF-P-03-{_series}";

    /// <summary>A shared camera masked by façade distance without a calibration.</summary>
    public string Uncalibrated => $"TRF-P-04-{_series}";

    public RtspTestPattern Camera { get; }

    public int RtspPort { get; }

    public Uri HttpBase { get; private set; } = null!;

    public PartnerCredentialsIssued Credentials { get; private set; } = null!;

    public Guid Agreement { get; private set; }

    public static async Task<PartnerFeedHub> StartAsync()
    {
        var camera = await RtspTestPattern.StartAsync("partner", Width, Height, 10, NullLogger.Instance, CancellationToken.None);
        // A free port can be taken by another class's server before the hub binds it (the hub then fails to start):
        // try another, a few times.
        for (var attempt = 1; ; attempt++)
        {
            var rtspPort = FreePort();
            var hub = new HubFactory(settings: new() { ["CameraHub:RtspPort"] = $"{rtspPort}" });
            hub.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            try
            {
                hub.StartServer();
            }
            catch (Exception e) when (attempt < 3 && e is IOException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                await hub.DisposeAsync();
                continue;
            }

            return await SeededAsync(hub, camera, rtspPort);
        }
    }

    private static async Task<PartnerFeedHub> SeededAsync(HubFactory hub, RtspTestPattern camera, int rtspPort)
    {
        var fixture = new PartnerFeedHub(hub, camera, rtspPort);
        await fixture.SeedAsync();
        return fixture;
    }

    private async Task SeedAsync()
    {
        var address = Hub.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        HttpBase = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        await Hub.SeedOrganisationsAsync();
        await Hub.CreateUserAsync("admin", HubRoles.Administrator);
        await Hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        var rtsp = Camera.Uri.ToString();
        await Hub.CreateCameraAsync(SampleCameras.Traffic(Shared) with { RtspUrl = rtsp });
        await Hub.CreateCameraAsync(SampleCameras.Traffic(NotListed) with { RtspUrl = rtsp, SharingPartnerIds = [] });
        await Hub.CreateCameraAsync(SampleCameras.Traffic(Masked) with
        {
            RtspUrl = rtsp,
            Masking = new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [MaskedRight, 0], [MaskedRight, Height], [0, Height]]] },
        });
        await Hub.CreateCameraAsync(SampleCameras.Traffic(Uncalibrated) with
        {
            RtspUrl = rtsp,
            Masking = new MaskingProfile { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 },
        });

        var admin = await Hub.SignInAsAsync("admin");
        using var created = await admin.PostAsJsonAsync("/api/sharing-agreements", new
        {
            partnerId = "vasttrafik",
            category = "Traffic",
            purpose = "Trafikinformation i kollektivtrafiken",
            legalBasisReference = "SMN 2026-0112",
            protocols = "Rtsp, Hls",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Agreement = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var issued = await admin.PostAsync("/api/partners/vasttrafik/credentials", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Credentials = (await issued.Content.ReadFromJsonAsync<PartnerCredentialsIssued>(HubFactory.Json))!;
    }

    public string RtspUrl(string camera) => $"rtsp://{Credentials.UserName}:{Credentials.Password}@127.0.0.1:{RtspPort}/{camera}";

    public string HlsUrl(string camera) => new Uri(HttpBase, $"api/partner/hls/{camera}/index.m3u8").ToString();

    /// <summary>A plain HTTP client (no sign-in) for partner requests with or without a key.</summary>
    public HttpClient PartnerClient(string? apiKey, bool authorizationHeader = false)
    {
        var client = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null && authorizationHeader)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"ApiKey {apiKey}");
        }
        else if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>A partner reading continuously (ffmpeg, copied to nowhere) until the hub cuts it or the test ends.</summary>
    public Process StartReader(params string[] input)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in (string[])["-nostdin", "-v", "quiet", .. input, "-c", "copy", "-f", "null", "-"])
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        _clients.Add(process);
        return process;
    }

    /// <summary>One decoded frame (after <paramref name="skipSeconds"/>) as 8-bit grey, judged by ffmpeg itself.</summary>
    public static Task<byte[]> GrabGreyFrameAsync(double skipSeconds, params string[] input) =>
        Masking.MaskedFrames.GrabGreyAsync(Width, Height, skipSeconds, input);

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _clients)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }

            p.Dispose();
        }

        await Hub.DisposeAsync();
        await Camera.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
