using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Playback;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Masking;

/// <summary>
/// A masked camera is never seen unmasked by people (DESIGN.md 4.6): frames decoded by ffmpeg from the live WebSocket,
/// live HLS, playback WebSocket and playback HLS of a polygon camera and a façade camera have every obscured pixel in
/// a constant block and the kept pixels close to the camera's picture (<see cref="MaskedFrames"/> states the
/// tolerances); people and partners share one masked encode per camera on one upstream; a camera whose mask cannot be
/// made is refused with 409 and the reason on live and playback.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MaskedEverywhereTests(MaskedPathsHub fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<MaskedPathsHub>
{
    public static TheoryData<string> MaskedCameras => new() { MaskedPathsHub.Polygon, MaskedPathsHub.Facade };

    [Theory]
    [MemberData(nameof(MaskedCameras))]
    public async Task Live_over_the_WebSocket_and_HLS_shows_the_obscured_zone_in_constant_blocks_and_the_rest_as_the_camera_sees_it(string camera)
    {
        var obscured = await fixture.ObscuredAsync(camera);
        var source = await MaskedFrames.GrabGreyAsync(MaskedPathsHub.Width, MaskedPathsHub.Height, 1, "-rtsp_transport", "tcp", "-i", fixture.Camera.Uri.ToString());
        AssertSourceHasDetail(source, obscured);
        using var traffic = await fixture.TrafficAsync();

        using var opened = await traffic.PostAsync($"api/cameras/{camera}/live", null);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;
        var (file, texts) = await MaskedPathsHub.RecordWebSocketAsync(new Uri(session.WebSocketUrl), fragments: 25);
        try
        {
            Assert.Contains(texts, t => t.Contains("\"reset\"", StringComparison.Ordinal));
            Judge("live WebSocket", await MaskedFrames.LastGreyAsync(MaskedPathsHub.Width, MaskedPathsHub.Height, file), source, obscured);
        }
        finally
        {
            File.Delete(file);
        }

        using var reopened = await traffic.PostAsync($"api/cameras/{camera}/live", null);
        Assert.Equal(HttpStatusCode.Created, reopened.StatusCode);
        var hlsUrl = (await reopened.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!.HlsUrl;
        var hls = await MaskedFrames.GrabGreyAsync(MaskedPathsHub.Width, MaskedPathsHub.Height, 1, "-i", hlsUrl);
        Judge("live HLS", hls, source, obscured);

        // People read the hub's masked feed: one encoder, and the camera keeps one upstream.
        var paths = fixture.Hub.Services.GetRequiredService<PathManager>();
        Assert.NotNull(paths.Find(MaskedFeeds.MaskedFeedKey(camera)));
        Assert.Single(Processes.WithMarker(MaskedFeedArguments.Marker(camera)));
        Assert.Equal(1, paths.Find(camera)!.UpstreamStarts);
    }

    [Theory]
    [MemberData(nameof(MaskedCameras))]
    public async Task Playback_over_the_WebSocket_and_HLS_is_masked_on_the_fly_from_the_recorded_original_starting_at_the_seek_point(string camera)
    {
        var obscured = await fixture.ObscuredAsync(camera);
        var source = await MaskedFrames.GrabGreyAsync(MaskedPathsHub.Width, MaskedPathsHub.Height, 1, "-rtsp_transport", "tcp", "-i", fixture.Camera.Uri.ToString());
        var segments = await fixture.RecordedUnderCurrentMaskAsync(camera, 3);
        using var traffic = await fixture.TrafficAsync();
        using var opened = await traffic.PostAsJsonAsync($"api/cameras/{camera}/playback", new { from = segments[0].Start, to = segments[^1].End });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<PlaybackSessionResponse>(HubFactory.Json))!;

        // Seek three seconds in: the masked encode starts there, not at the window's start.
        var (file, texts) = await MaskedPathsHub.RecordWebSocketAsync(new Uri(session.WebSocketUrl + "&offset=3"), fragments: 15);
        try
        {
            var reset = MaskedPathsHub.Parse(texts.First(t => t.Contains("\"reset\"", StringComparison.Ordinal)));
            Assert.True(reset.GetProperty("masked").GetBoolean());
            Assert.Equal(segments[0].Start.AddSeconds(3), reset.GetProperty("start").GetDateTimeOffset());
            Judge("playback WebSocket", await MaskedFrames.LastGreyAsync(MaskedPathsHub.Width, MaskedPathsHub.Height, file), source, obscured);
        }
        finally
        {
            File.Delete(file);
        }

        var playlist = await traffic.GetStringAsync(session.HlsUrl);
        Assert.Contains("m/init.mp4", playlist, StringComparison.Ordinal);
        Assert.DoesNotContain("/media.m4s", playlist, StringComparison.Ordinal); // no recorded file is served as it is
        Judge("playback HLS", await MaskedFrames.GrabGreyAsync(MaskedPathsHub.Width, MaskedPathsHub.Height, 1, "-i", session.HlsUrl), source, obscured);

        // The recorded original itself is not reachable through a masked session.
        using var original = await traffic.GetAsync(session.HlsUrl.Replace("index.m3u8", $"{segments[0].Id}/media.m4s", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, original.StatusCode);
    }

    [Fact]
    public async Task A_facade_camera_without_calibration_refuses_live_and_playback_with_409_naming_the_missing_calibration()
    {
        using var traffic = await fixture.TrafficAsync();
        using var live = await traffic.PostAsync($"api/cameras/{MaskedPathsHub.Uncalibrated}/live", null);
        Assert.Equal(HttpStatusCode.Conflict, live.StatusCode);
        Assert.Contains("no calibration", await live.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var segments = await fixture.RecordedAsync(MaskedPathsHub.Uncalibrated, 1);
        using var playback = await traffic.PostAsJsonAsync($"api/cameras/{MaskedPathsHub.Uncalibrated}/playback", new { from = segments[0].Start, to = segments[^1].End });
        Assert.Equal(HttpStatusCode.Conflict, playback.StatusCode);
        var detail = await playback.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"/api/cameras/{MaskedPathsHub.Uncalibrated}/calibration", detail.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(fixture.Hub.Services.GetRequiredService<PathManager>().Find(MaskedFeeds.MaskedFeedKey(MaskedPathsHub.Uncalibrated)));
    }

    private void Judge(string path, byte[] frame, byte[] source, bool[] obscured)
    {
        var (worst, count) = MaskedFrames.Obscured(frame, obscured, MaskedPathsHub.Width, MaskedPathsHub.Height, MaskedPathsHub.Block);
        var kept = MaskedFrames.Kept(frame, source, obscured, MaskedPathsHub.Width,
            (x, y) => y < MaskedPathsHub.NameBottom || (x >= MaskedPathsHub.ClockLeft && y >= MaskedPathsHub.ClockTop), referenceRow: MaskedPathsHub.Height / 2);
        output.WriteLine($"{path}: {count} obscured pixels, worst off their block's median by {worst}; kept pixels off the source by {kept:0.00} on average");
        Assert.True(worst <= MaskedFrames.ObscuredTolerance, $"{path}: an obscured pixel differs by {worst} from its block");
        Assert.True(kept <= MaskedFrames.KeptTolerance, $"{path}: kept pixels differ by {kept:0.00} from the camera's picture");
    }

    private static void AssertSourceHasDetail(byte[] source, bool[] obscured)
    {
        // Otherwise a constant block would prove nothing.
        var (worst, _) = MaskedFrames.Obscured(source, obscured, MaskedPathsHub.Width, MaskedPathsHub.Height, MaskedPathsHub.Block);
        Assert.True(worst > 3 * MaskedFrames.ObscuredTolerance, $"the camera's own picture varies only by {worst} inside the obscured zone");
    }
}
