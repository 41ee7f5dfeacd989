using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Sharing;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.Tests.Sharing;

/// <summary>
/// A partner system pulling a shared camera over the hub's RTSP server, judged by real clients (ffprobe, ffmpeg,
/// GStreamer's rtspsrc): one upstream whatever the number of readers; refusals audited; revocation cuts the stream.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PartnerRtspTests : IAsyncLifetime
{
    // Ids unique to this test's hub: its upstream is counted by the camera marker, and other hubs run beside it.
    private readonly string _series = Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = FreePort();
    private readonly HubFactory _hub;
    private readonly List<Process> _clients = [];
    private RtspTestPattern _camera = null!;
    private PartnerCredentialsIssued _credentials = null!;
    private Guid _agreement;

    private string Shared => $"TRF-S-01-{_series}";

    private string NotListed => $"TRF-S-02-{_series}";

    private string RecordedOnly => $"TRF-S-03-{_series}";

    private string Expired => $"TEK-S-04-{_series}";

    public PartnerRtspTests() => _hub = new HubFactory(settings: new() { ["CameraHub:RtspPort"] = $"{_port}" });

    public async Task InitializeAsync()
    {
        _camera = await RtspTestPattern.StartAsync(Shared, 320, 240, 10, NullLogger.Instance, CancellationToken.None);
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        var rtsp = _camera.Uri.ToString();
        await _hub.CreateCameraAsync(SampleCameras.Traffic(Shared) with { RtspUrl = rtsp });
        await _hub.CreateCameraAsync(SampleCameras.Traffic(NotListed) with { RtspUrl = rtsp, SharingPartnerIds = [] });
        await _hub.CreateCameraAsync(SampleCameras.Traffic(RecordedOnly) with { RtspUrl = rtsp, Mode = CameraMode.RecordedOnly, RetentionDays = 7, SharingPartnerIds = [], Costs = new CameraCosts() });
        await _hub.CreateCameraAsync(SampleCameras.Traffic(Expired) with { RtspUrl = rtsp, Category = CameraCategory.TechnicalFacility });
        await _hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Shared, CameraRight.Live);

        var admin = await _hub.SignInAsAsync("admin");
        var now = _hub.Time.GetUtcNow().UtcDateTime;
        using var created = await admin.PostAsJsonAsync("/api/sharing-agreements", new
        {
            partnerId = "vasttrafik", category = "Traffic", purpose = "Trafikinformation i kollektivtrafiken",
            legalBasisReference = "SMN 2026-0112", protocols = "Rtsp",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        _agreement = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var expired = await admin.PostAsJsonAsync("/api/sharing-agreements", new
        {
            partnerId = "vasttrafik", cameraIds = new[] { Expired }, purpose = "Depå", legalBasisReference = "SMN 2025-0007",
            validFrom = now.AddDays(-30), validUntil = now.AddDays(-1),
        });
        Assert.Equal(HttpStatusCode.Created, expired.StatusCode);
        using var issued = await admin.PostAsync("/api/partners/vasttrafik/credentials", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        _credentials = (await issued.Content.ReadFromJsonAsync<PartnerCredentialsIssued>(HubFactory.Json))!;
    }

    public async Task DisposeAsync()
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

        await _hub.DisposeAsync();
        await _camera.DisposeAsync();
    }

    private string Url(string camera, string? password = null) =>
        $"rtsp://{_credentials.UserName}:{password ?? _credentials.Password}@127.0.0.1:{_port}/{camera}";

    [Fact]
    public async Task A_partner_with_an_agreement_receives_H264_in_ffprobe_and_GStreamer_over_one_upstream_and_is_audited()
    {
        var probe = await Processes.AssertH264Async(Url(Shared));
        Assert.Contains("width=320", probe, StringComparison.Ordinal);

        var (code, gst) = await Tool.RunAsync("/usr/bin/gst-launch-1.0", "-q", "rtspsrc", $"location=rtsp://127.0.0.1:{_port}/{Shared}",
            $"user-id={_credentials.UserName}", $"user-pw={_credentials.Password}", "protocols=tcp", "!", "rtph264depay", "!", "h264parse",
            "!", "fakesink", "num-buffers=30");
        Assert.True(code == 0, gst);

        var path = _hub.Services.GetRequiredService<PathManager>().Find(Shared);
        Assert.NotNull(path);
        Assert.Equal(1, path.UpstreamStarts);
        Assert.Single(Processes.WithMarker($"camera={Shared}"));
        var sessions = _hub.Services.GetRequiredService<PartnerSessions>();
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 0, TimeSpan.FromSeconds(10)));

        var dpo = await _hub.SignInAsAsync("dpo");
        var started = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={Shared}&action=PartnerSessionStarted&actor=partner:vasttrafik", HubFactory.Json);
        var ended = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={Shared}&action=PartnerSessionEnded", HubFactory.Json);
        Assert.Equal(2, started.GetProperty("total").GetInt32());
        Assert.Equal(2, ended.GetProperty("total").GetInt32());
        Assert.Contains("bytesSent=", ended.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", ended.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_credentials_an_expired_agreement_an_unlisted_and_a_recorded_only_camera_are_refused_and_audited()
    {
        var (wrong, wrongLog) = await Probe(Url(Shared, "not-the-password"));
        var (expired, expiredLog) = await Probe(Url(Expired));
        var (unlisted, unlistedLog) = await Probe(Url(NotListed));
        var (recorded, recordedLog) = await Probe(Url(RecordedOnly));

        Assert.NotEqual(0, wrong);
        Assert.Contains("401", wrongLog, StringComparison.Ordinal);
        Assert.NotEqual(0, expired);
        Assert.Contains("403", expiredLog, StringComparison.Ordinal);
        Assert.Contains("not valid now", expiredLog, StringComparison.Ordinal);
        Assert.NotEqual(0, unlisted);
        Assert.Contains("does not list partner", unlistedLog, StringComparison.Ordinal);
        Assert.NotEqual(0, recorded);
        Assert.Contains("RecordedOnly", recordedLog, StringComparison.Ordinal);
        Assert.Null(_hub.Services.GetRequiredService<PathManager>().Find(Shared));

        var dpo = await _hub.SignInAsAsync("dpo");
        foreach (var (camera, words) in new[] { (Shared, "wrong RTSP password"), (Expired, "not valid now"), (NotListed, "does not list"), (RecordedOnly, "RecordedOnly") })
        {
            var denied = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={camera}&action=AccessDenied&actor=partner:vasttrafik", HubFactory.Json);
            Assert.True(denied.GetProperty("total").GetInt32() >= 1, camera);
            Assert.Contains(words, denied.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Withdrawing_the_agreement_cuts_an_open_session_within_five_seconds()
    {
        var reader = StartReader(Shared);
        var sessions = _hub.Services.GetRequiredService<PartnerSessions>();
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 1, TimeSpan.FromSeconds(30)), "the partner session did not start");

        var admin = await _hub.SignInAsAsync("admin");
        var clock = Stopwatch.StartNew();
        using var withdrawn = await admin.DeleteAsync($"/api/sharing-agreements/{_agreement}");
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);

        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 0, TimeSpan.FromSeconds(5)), "the session outlived the agreement");
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await reader.WaitForExitAsync(exited.Token);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15));
        var dpo = await _hub.SignInAsAsync("dpo");
        var ended = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={Shared}&action=PartnerSessionEnded", HubFactory.Json);
        Assert.Contains("withdrawn", ended.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("Denied", ended.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotating_the_credentials_cuts_the_session_opened_with_the_old_ones()
    {
        StartReader(Shared);
        var sessions = _hub.Services.GetRequiredService<PartnerSessions>();
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 1, TimeSpan.FromSeconds(30)), "the partner session did not start");

        var admin = await _hub.SignInAsAsync("admin");
        using var rotated = await admin.PostAsync("/api/partners/vasttrafik/credentials", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);

        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 0, TimeSpan.FromSeconds(5)), "the session outlived its credentials");
        var (code, log) = await Probe(Url(Shared));
        Assert.Contains("401", log, StringComparison.Ordinal);
        Assert.NotEqual(0, code);
    }

    [Fact]
    public async Task An_agreement_that_expires_ends_its_open_session_at_the_next_periodic_check()
    {
        var admin = await _hub.SignInAsAsync("admin");
        using var brief = await admin.PostAsJsonAsync("/api/sharing-agreements", new
        {
            partnerId = "vasttrafik", cameraIds = new[] { Expired }, purpose = "Evenemang", legalBasisReference = "SMN 2026-0200",
            validUntil = _hub.Time.GetUtcNow().UtcDateTime.AddSeconds(3),
        });
        Assert.Equal(HttpStatusCode.Created, brief.StatusCode);
        StartReader(Expired);
        var sessions = _hub.Services.GetRequiredService<PartnerSessions>();
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 1, TimeSpan.FromSeconds(30)), "the partner session did not start");

        _hub.Time.Advance(TimeSpan.FromSeconds(4));

        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 0, TimeSpan.FromSeconds(5)), "the session outlived its agreement");
        var dpo = await _hub.SignInAsAsync("dpo");
        var ended = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={Expired}&action=PartnerSessionEnded", HubFactory.Json);
        Assert.Contains("not valid now", ended.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ten_partner_readers_and_twenty_browser_viewers_share_one_upstream()
    {
        for (var i = 0; i < 10; i++)
        {
            StartReader(Shared);
        }

        var traffic = await _hub.SignInAsAsync("traffic");
        var sockets = new List<WebSocket>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await traffic.PostAsync($"/api/cameras/{Shared}/live", null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var url = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("webSocketUrl").GetString()!;
            sockets.Add(await _hub.Server.CreateWebSocketClient().ConnectAsync(new Uri(url), CancellationToken.None));
        }

        var sessions = _hub.Services.GetRequiredService<PartnerSessions>();
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 10, TimeSpan.FromSeconds(60)), $"{sessions.Open.Count} partner sessions");
        var path = _hub.Services.GetRequiredService<PathManager>().Find(Shared)!;
        Assert.Equal(30, path.ViewerCount);
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.All(s => s.BytesSent > 10_000), TimeSpan.FromSeconds(30)), "every partner receives video");
        var buffer = new byte[1 << 20];
        foreach (var socket in sockets)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType); // the reset message, then the init segment
        }

        Assert.Equal(1, path.UpstreamStarts);
        Assert.Single(Processes.WithMarker($"camera={Shared}"));
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Code, string Log)> Probe(string url) =>
        await Tool.RunAsync("ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name", url);

    /// <summary>A partner reading continuously (ffmpeg, copied to nowhere) until the hub cuts it or the test ends.</summary>
    private Process StartReader(string camera)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardError = false, UseShellExecute = false };
        foreach (var a in new[] { "-nostdin", "-v", "quiet", "-rtsp_transport", "tcp", "-i", Url(camera), "-c", "copy", "-f", "null", "-" })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        _clients.Add(process);
        return process;
    }
}
