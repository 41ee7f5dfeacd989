using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Sharing;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Sharing;

/// <summary>
/// Partners of a camera whose profile requires masking get a masked re-encode, made once per camera: ffmpeg decodes
/// what the partner receives and the masked area is pixelated (flat blocks) while the rest still carries the picture;
/// RTSP and HLS readers share one encoder and the camera one upstream; a mask that cannot be made refuses the partner.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PartnerMaskedFeedTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const int Block = 16; // Pixelator.BlockSizeFor(320)
    private PartnerFeedHub _fixture = null!;

    public async Task InitializeAsync() => _fixture = await PartnerFeedHub.StartAsync();

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    private HubFactory Hub => _fixture.Hub;

    [Fact]
    public async Task A_partner_reading_a_masked_camera_over_RTSP_gets_H264_whose_masked_half_is_pixelated_and_whose_other_half_is_the_picture()
    {
        var masked = await PartnerFeedHub.GrabGreyFrameAsync(2, "-rtsp_transport", "tcp", "-i", _fixture.RtspUrl(_fixture.Masked));
        var source = await PartnerFeedHub.GrabGreyFrameAsync(2, "-rtsp_transport", "tcp", "-i", _fixture.Camera.Uri.ToString());

        // Inside the mask every 16×16 block is one flat value (up to encoding noise); the source's blocks are not.
        var maskedInside = MeanBlockDeviation(masked, 0, PartnerFeedHub.MaskedRight);
        var sourceInside = MeanBlockDeviation(source, 0, PartnerFeedHub.MaskedRight);
        Assert.True(maskedInside < 2.0, $"masked area of the partner feed: mean block deviation {maskedInside:0.00}");
        Assert.True(sourceInside > 4 * maskedInside + 3, $"source {sourceInside:0.00} vs partner {maskedInside:0.00}");

        // Outside it the partner sees the camera's detail, as the source has it.
        var maskedOutside = MeanBlockDeviation(masked, PartnerFeedHub.MaskedRight, PartnerFeedHub.Width);
        var sourceOutside = MeanBlockDeviation(source, PartnerFeedHub.MaskedRight, PartnerFeedHub.Width);
        output.WriteLine($"mean 16x16 block deviation: masked area partner {maskedInside:0.00} source {sourceInside:0.00}; kept area partner {maskedOutside:0.00} source {sourceOutside:0.00}");
        Assert.True(maskedOutside > 0.6 * sourceOutside && maskedOutside > 3, $"kept area: partner {maskedOutside:0.00} vs source {sourceOutside:0.00}");
    }

    [Fact]
    public async Task Two_RTSP_readers_and_an_HLS_reader_of_a_masked_camera_share_one_reencode_and_one_camera_upstream()
    {
        _fixture.StartReader("-rtsp_transport", "tcp", "-i", _fixture.RtspUrl(_fixture.Masked));
        _fixture.StartReader("-rtsp_transport", "tcp", "-i", _fixture.RtspUrl(_fixture.Masked));
        var sessions = Hub.Services.GetRequiredService<PartnerSessions>();
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Count == 2, TimeSpan.FromSeconds(45)), $"{sessions.Open.Count} partner sessions");
        var (code, probe) = await Tool.RunAsync("ffprobe", "-v", "error", "-headers", $"X-Api-Key: {_fixture.Credentials.ApiKey}\r\n",
            "-show_entries", "stream=codec_name,width", "-of", "default=nw=1", _fixture.HlsUrl(_fixture.Masked));
        Assert.True(code == 0, probe);
        Assert.Contains("codec_name=h264", probe, StringComparison.Ordinal);

        var paths = Hub.Services.GetRequiredService<PathManager>();
        var camera = paths.Find(_fixture.Masked)!;
        var feed = paths.Find(MaskedFeeds.MaskedFeedKey(_fixture.Masked))!;
        Assert.Equal(1, camera.ViewerCount); // the encoder is the camera's only reader
        Assert.Equal(3, feed.ViewerCount); // two RTSP partners and the HLS session
        Assert.Equal(1, camera.UpstreamStarts);
        Assert.Equal(1, feed.UpstreamStarts);
        Assert.Single(Processes.WithMarker($"camera={_fixture.Masked}"));
        Assert.Single(Processes.WithMarker(MaskedFeedArguments.Marker(_fixture.Masked)));
        Assert.DoesNotContain(paths.Paths, p => !p.IsCameraUpstream); // the feed is not listed as a camera
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.All(s => s.BytesSent > 10_000), TimeSpan.FromSeconds(20)), "every partner receives video");
    }

    [Fact]
    public async Task A_partner_reading_a_camera_unmasked_is_cut_when_its_profile_starts_requiring_masking_and_gets_the_masked_feed_on_reconnecting()
    {
        var sessions = Hub.Services.GetRequiredService<PartnerSessions>();
        _fixture.StartReader("-rtsp_transport", "tcp", "-i", _fixture.RtspUrl(_fixture.Shared)); // the fixture stops it
        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.Any(s => s.CameraId == _fixture.Shared && s.BytesSent > 10_000), TimeSpan.FromSeconds(45)),
            "the partner receives the unmasked camera");
        Assert.False(sessions.Open.Single(s => s.CameraId == _fixture.Shared).Masked);

        // The owner decides the left half must be masked for partners.
        var admin = await Hub.SignInAsAsync("admin");
        var camera = await admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{_fixture.Shared}", HubFactory.Json);
        var edited = System.Text.Json.Nodes.JsonNode.Parse(camera.GetRawText())!.AsObject();
        edited["masking"] = System.Text.Json.Nodes.JsonNode.Parse(
            $$"""{"kind":"PrivacyPolygons","polygons":[[[0,0],[{{PartnerFeedHub.MaskedRight}},0],[{{PartnerFeedHub.MaskedRight}},{{PartnerFeedHub.Height}}],[0,{{PartnerFeedHub.Height}}]]]}""");
        using (var saved = await admin.PutAsJsonAsync($"/api/cameras/{_fixture.Shared}", edited))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        Assert.True(await Processes.EventuallyAsync(() => sessions.Open.All(s => s.CameraId != _fixture.Shared), TimeSpan.FromSeconds(5)),
            "the unmasked partner session was not cut within 5 s");
        var dpo = await Hub.SignInAsAsync("dpo");
        var ended = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={_fixture.Shared}&action=PartnerSessionEnded", HubFactory.Json);
        Assert.Contains(ended.GetProperty("items").EnumerateArray(), e => e.GetProperty("details").GetString()!.Contains("must now be masked", StringComparison.Ordinal));

        // Reconnecting, the partner gets the masked re-encode.
        var masked = await PartnerFeedHub.GrabGreyFrameAsync(2, "-rtsp_transport", "tcp", "-i", _fixture.RtspUrl(_fixture.Shared));
        Assert.True(MeanBlockDeviation(masked, 0, PartnerFeedHub.MaskedRight) < 2.0, "the reconnected partner still sees the masked half");
    }

    [Fact]
    public async Task A_facade_masked_camera_without_calibration_is_refused_over_RTSP_and_HLS_naming_the_missing_calibration()
    {
        var (code, log) = await Tool.RunAsync("ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name",
            _fixture.RtspUrl(_fixture.Uncalibrated));
        Assert.NotEqual(0, code);
        Assert.Contains("403", log, StringComparison.Ordinal);
        Assert.Contains("no calibration", log, StringComparison.Ordinal);

        using var partner = _fixture.PartnerClient(_fixture.Credentials.ApiKey);
        using var hls = await partner.GetAsync($"api/partner/hls/{_fixture.Uncalibrated}/index.m3u8");
        Assert.Equal(HttpStatusCode.Forbidden, hls.StatusCode);
        Assert.Contains($"PUT one to /api/cameras/{_fixture.Uncalibrated}/calibration", await hls.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(Hub.Services.GetRequiredService<PathManager>().Find(MaskedFeeds.MaskedFeedKey(_fixture.Uncalibrated)));
        Assert.Empty(Processes.WithMarker(MaskedFeedArguments.Marker(_fixture.Uncalibrated)));

        var dpo = await Hub.SignInAsAsync("dpo");
        var denied = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={_fixture.Uncalibrated}&action=AccessDenied&actor=partner:vasttrafik", HubFactory.Json);
        Assert.Equal(2, denied.GetProperty("total").GetInt32());
        Assert.Contains("no calibration", denied.GetRawText(), StringComparison.Ordinal);
    }

    /// <summary>Mean standard deviation of the grey values inside each whole 16×16 block between columns <paramref name="from"/> and <paramref name="to"/>.</summary>
    private static double MeanBlockDeviation(byte[] grey, int from, int to)
    {
        var deviations = new List<double>();
        for (var by = 0; by + Block <= PartnerFeedHub.Height; by += Block)
        {
            for (var bx = from; bx + Block <= to; bx += Block)
            {
                double sum = 0, squares = 0;
                for (var y = by; y < by + Block; y++)
                {
                    for (var x = bx; x < bx + Block; x++)
                    {
                        var v = grey[(y * PartnerFeedHub.Width) + x];
                        sum += v;
                        squares += v * v;
                    }
                }

                var n = Block * Block;
                deviations.Add(Math.Sqrt(Math.Max(0, (squares / n) - ((sum / n) * (sum / n)))));
            }
        }

        return deviations.Average();
    }
}
