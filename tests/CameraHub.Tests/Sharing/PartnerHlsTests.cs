using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Sharing;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Sharing;

/// <summary>
/// A partner system pulling a shared camera over HLS with its API key, judged by ffprobe and ffmpeg sending the key
/// as a header: served from the camera's one upstream; wrong keys and cameras outside the agreement refused and
/// audited; the session audited with its bytes; withdrawal refuses the next requests within five seconds.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PartnerHlsTests : IAsyncLifetime
{
    private PartnerFeedHub _fixture = null!;

    public async Task InitializeAsync() => _fixture = await PartnerFeedHub.StartAsync();

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    private HubFactory Hub => _fixture.Hub;

    [Fact]
    public async Task A_partner_with_its_API_key_plays_HLS_in_ffprobe_and_ffmpeg_over_the_camera_upstream_and_the_session_is_audited()
    {
        var key = _fixture.Credentials.ApiKey;
        var (probed, probe) = await Tool.RunAsync("ffprobe", "-v", "error", "-headers", $"X-Api-Key: {key}\r\n", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height", "-of", "default=nw=1", _fixture.HlsUrl(_fixture.Shared));
        Assert.True(probed == 0, probe);
        Assert.Contains("codec_name=h264", probe, StringComparison.Ordinal);
        Assert.Contains("width=320", probe, StringComparison.Ordinal);
        var (code, log) = await Tool.RunAsync("ffmpeg", "-v", "error", "-headers", $"Authorization: ApiKey {key}\r\n",
            "-i", _fixture.HlsUrl(_fixture.Shared), "-t", "3", "-c", "copy", "-f", "null", "-");
        Assert.True(code == 0, log);

        var path = Hub.Services.GetRequiredService<PathManager>().Find(_fixture.Shared);
        Assert.NotNull(path);
        Assert.Equal(1, path.UpstreamStarts);
        Assert.Single(Processes.WithMarker($"camera={_fixture.Shared}"));
        var readers = Hub.Services.GetRequiredService<PartnerHlsReaders>();
        Assert.Equal(1, readers.Count); // ffprobe and ffmpeg from one address with one key: one session

        // The player stops: the session ends after the HLS idle timeout and is audited with its bytes.
        Hub.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await Processes.EventuallyAsync(() => readers.Count == 0, TimeSpan.FromSeconds(10)), "the idle HLS session did not end");
        var dpo = await Hub.SignInAsAsync("dpo");
        var started = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={_fixture.Shared}&action=PartnerSessionStarted&actor=partner:vasttrafik", HubFactory.Json);
        var ended = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={_fixture.Shared}&action=PartnerSessionEnded", HubFactory.Json);
        Assert.Equal(1, started.GetProperty("total").GetInt32());
        Assert.Contains("Hls user", started.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(1, ended.GetProperty("total").GetInt32());
        var text = ended.GetRawText();
        Assert.Contains("stopped requesting", text, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", text, StringComparison.Ordinal);
        var bytes = long.Parse(System.Text.RegularExpressions.Regex.Match(text, @"bytesSent=(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(bytes > 10_000, $"bytesSent={bytes}");
    }

    [Fact]
    public async Task A_missing_or_wrong_key_gets_401_and_a_camera_outside_the_agreement_403_each_audited()
    {
        using var none = _fixture.PartnerClient(null);
        using var wrong = _fixture.PartnerClient("chk_not-a-key");
        using var partner = _fixture.PartnerClient(_fixture.Credentials.ApiKey);

        using var missing = await none.GetAsync($"api/partner/hls/{_fixture.Shared}/index.m3u8");
        using var bad = await wrong.GetAsync($"api/partner/hls/{_fixture.Shared}/index.m3u8");
        using var unlisted = await partner.GetAsync($"api/partner/hls/{_fixture.NotListed}/index.m3u8");
        using var segmentFirst = await partner.GetAsync($"api/partner/hls/{_fixture.Shared}/0.m4s");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Contains("ApiKey", bad.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, unlisted.StatusCode);
        Assert.Contains("does not list partner", await unlisted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, segmentFirst.StatusCode);
        Assert.Null(Hub.Services.GetRequiredService<PathManager>().Find(_fixture.Shared));

        var dpo = await Hub.SignInAsAsync("dpo");
        var unknown = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={_fixture.Shared}&action=AccessDenied&actor=partner:unknown", HubFactory.Json);
        Assert.Equal(2, unknown.GetProperty("total").GetInt32());
        Assert.Contains("unknown or revoked API key", unknown.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("chk_not-a-key", unknown.GetRawText(), StringComparison.Ordinal);
        var denied = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={_fixture.NotListed}&action=AccessDenied&actor=partner:vasttrafik", HubFactory.Json);
        Assert.Equal(1, denied.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Withdrawing_the_agreement_ends_the_HLS_session_and_refuses_the_next_requests_within_five_seconds()
    {
        using var partner = _fixture.PartnerClient(_fixture.Credentials.ApiKey, authorizationHeader: true);
        using var playlist = await partner.GetAsync($"api/partner/hls/{_fixture.Shared}/index.m3u8");
        Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
        var lines = (await playlist.Content.ReadAsStringAsync()).Split('\n');
        var segment = lines.Last(l => l.EndsWith(".m4s", StringComparison.Ordinal));
        using (var init = await partner.GetAsync($"api/partner/hls/{_fixture.Shared}/init.mp4"))
        {
            Assert.Equal(HttpStatusCode.OK, init.StatusCode);
        }

        var sessions = Hub.Services.GetRequiredService<PartnerSessions>();
        Assert.Single(sessions.Open);

        var admin = await Hub.SignInAsAsync("admin");
        var clock = Stopwatch.StartNew();
        using var withdrawn = await admin.DeleteAsync($"/api/sharing-agreements/{_fixture.Agreement}");
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);

        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 0, TimeSpan.FromSeconds(5)), "the HLS session outlived the agreement");
        using var again = await partner.GetAsync($"api/partner/hls/{_fixture.Shared}/index.m3u8");
        using var media = await partner.GetAsync($"api/partner/hls/{_fixture.Shared}/{segment}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed}");
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, media.StatusCode);

        var dpo = await Hub.SignInAsAsync("dpo");
        var ended = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={_fixture.Shared}&action=PartnerSessionEnded", HubFactory.Json);
        Assert.Contains("withdrawn", ended.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("Denied", ended.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotating_the_credentials_ends_the_HLS_session_and_the_old_key_gets_401()
    {
        using var partner = _fixture.PartnerClient(_fixture.Credentials.ApiKey);
        using var playlist = await partner.GetAsync($"api/partner/hls/{_fixture.Shared}/index.m3u8");
        Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
        var sessions = Hub.Services.GetRequiredService<PartnerSessions>();
        Assert.Single(sessions.Open);

        var admin = await Hub.SignInAsAsync("admin");
        using var rotated = await admin.PostAsync("/api/partners/vasttrafik/credentials", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var fresh = (await rotated.Content.ReadFromJsonAsync<CameraRegistry.Sharing.PartnerCredentialsIssued>(HubFactory.Json))!;

        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 0, TimeSpan.FromSeconds(5)), "the HLS session outlived its credentials");
        using var old = await partner.GetAsync($"api/partner/hls/{_fixture.Shared}/index.m3u8");
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using var renewed = _fixture.PartnerClient(fresh.ApiKey);
        using var again = await renewed.GetAsync($"api/partner/hls/{_fixture.Shared}/index.m3u8");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
