using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Playback;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Recording;

/// <summary>Recording a real RTSP camera, listing its footage and playing a window back (real ffmpeg, ffprobe as judge).</summary>
[Trait("Category", "Integration")]
public sealed class RecordingTests
{
    [Fact]
    public async Task A_recorded_camera_gets_indexed_segments_with_true_times_and_one_upstream_serves_live_and_recording()
    {
        await using var camera = await RtspCamera.StartAsync();
        var host = await RecordingHost.StartAsync(recording: true);
        var id = BrokerHost.NewCameraId();
        var liveOnly = BrokerHost.NewCameraId();
        try
        {
            host.Cameras.Add(id, camera.Url, mode: CameraMode.LiveAndRecorded, retentionDays: 7);
            host.Cameras.Add(liveOnly, camera.Url, mode: CameraMode.LiveOnly);
            host.Policy.Grant("traffic", id);
            host.Policy.Grant("traffic", liveOnly);
            var before = DateTimeOffset.UtcNow;

            // A live viewer of the recorded camera and one of the live-only camera, while recording runs.
            await using var viewer = await WatchAsync(host, "traffic", id);
            await using var liveOnlyViewer = await WatchAsync(host, "traffic", liveOnly);
            Assert.True(await Live.Processes.EventuallyAsync(() => host.SegmentsAsync(id).GetAwaiter().GetResult().Count >= 3, TimeSpan.FromSeconds(90)),
                "three 2-second segments within 90 s (generous: the recorder's first pass and ffmpeg's start slow down when other classes load both cores)");

            // One RTSP session for live and recording.
            Assert.Single(Live.Processes.WithMarker(id));
            Assert.Equal(1, host.Paths.Find(id)!.UpstreamStarts);

            var segments = await host.SegmentsAsync(id);
            foreach (var s in segments)
            {
                var file = Path.Combine(host.StorageRoot, s.Path);
                Assert.Equal(new FileInfo(file).Length, s.Bytes);
                Assert.StartsWith(SegmentFiles.SafeName(id) + "/", s.Path, StringComparison.Ordinal);
                var seconds = await FramesAsync(file) / 10.0; // the test camera sends 10 frames per second
                Assert.InRange((s.End - s.Start).TotalSeconds, seconds - 0.25, seconds + 0.25);
                Assert.InRange((s.End - s.Start).TotalSeconds, 1.8, 3.5); // closes at the first keyframe after 2 s
                Assert.InRange(s.Start, before.AddSeconds(-2), DateTimeOffset.UtcNow);
            }

            // Consecutive segments of one upstream touch: no artificial gap.
            for (var i = 1; i < segments.Count; i++)
            {
                Assert.Equal(segments[i - 1].EndUtcTicks, segments[i].StartUtcTicks);
            }

            Assert.True(host.Cameras.Bitrates.TryGetValue(id, out var kbps) && kbps > 50, $"bitrate reported: {kbps}");
            using var storage = await host.SendAsync(HttpMethod.Get, "/api/recordings/storage", "admin", role: "Administrator");
            var accounting = await storage.Content.ReadFromJsonAsync<JsonElement>();
            var mine = accounting.GetProperty("cameras").EnumerateArray().Single(c => c.GetProperty("cameraId").GetString() == id);
            Assert.True(mine.GetProperty("bytes").GetInt64() >= segments.Sum(s => s.Bytes));
            Assert.InRange(mine.GetProperty("bitrateKbps").GetDouble(), kbps / 3, kbps * 3);
            Assert.Contains(id, accounting.GetProperty("recording").EnumerateArray().Select(c => c.GetString()));

            // The listing shows the segments, and the time before recording began as a gap.
            var from = segments[0].Start.AddSeconds(-30);
            var to = segments[^1].End;
            using var listed = await host.SendAsync(HttpMethod.Get, $"/api/cameras/{id}/recordings?from={Iso(from)}&to={Iso(to)}", "traffic");
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            var listing = (await listed.Content.ReadFromJsonAsync<RecordingsResponse>(JsonSerializerOptions.Web))!;
            Assert.True(listing.Segments.Count >= 3);
            var gap = Assert.Single(listing.Gaps);
            Assert.Equal(from, gap.From);
            Assert.Equal(segments[0].Start, gap.To);
            Assert.Contains(host.Audit.Events, e => e.Action == AuditAction.RecordingsListed && e.CameraId == id);
        }
        finally
        {
            await host.DisposeAsync(keepData: true);
        }

        // Stopping the hub closed the segment being written; the live-only camera never touched the disk.
        Assert.Empty(Live.Processes.WithMarker(id));
        Assert.False(Directory.Exists(Path.Combine(host.StorageRoot, SegmentFiles.SafeName(liveOnly))), "a live-only camera leaves no file");
        Assert.Empty(Directory.EnumerateFiles(host.StorageRoot, "*.partial", SearchOption.AllDirectories));
        Directory.Delete(host.DataDirectory, recursive: true);
    }

    [Fact]
    public async Task Playback_serves_the_window_as_seekable_hls_and_refuses_and_audits_a_user_without_the_right()
    {
        await using var camera = await RtspCamera.StartAsync();
        await using var host = await RecordingHost.StartAsync(recording: true);
        var id = BrokerHost.NewCameraId();
        host.Cameras.Add(id, camera.Url, mode: CameraMode.RecordedOnly, retentionDays: 7);
        host.Policy.Grant("police", id);
        Assert.True(await Live.Processes.EventuallyAsync(() => host.SegmentsAsync(id).GetAwaiter().GetResult().Count >= 4, TimeSpan.FromSeconds(45)),
            "four segments within 45 s");
        var segments = await host.SegmentsAsync(id);

        // A window covering the 2nd and 3rd segments only.
        var window = new { from = segments[1].Start.AddMilliseconds(100), to = segments[2].End.AddMilliseconds(-100) };
        using var refused = await host.SendAsync(HttpMethod.Post, $"/api/cameras/{id}/playback", "care", window);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(host.Audit.Events, e => e.Action == AuditAction.AccessDenied && e.Actor == "care" && e.CameraId == id);

        using var opened = await host.SendAsync(HttpMethod.Post, $"/api/cameras/{id}/playback", "police", window);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<PlaybackSessionResponse>(JsonSerializerOptions.Web))!;
        Assert.Equal(2, session.Segments);
        Assert.Contains(host.Audit.Events, e => e.Action == AuditAction.PlaybackStarted && e.Actor == "police" && e.SubjectId == session.SessionId);

        // ffprobe plays the VOD playlist: H.264, as long as the two segments, and the playlist is a finished (seekable) VOD.
        await Live.Processes.AssertH264Async(session.HlsUrl);
        var expected = (segments[2].End - segments[1].Start).TotalSeconds;
        Assert.InRange(await FramesAsync(session.HlsUrl) / 10.0, expected - 0.3, expected + 0.3);
        var playlist = await host.Http.GetStringAsync(session.HlsUrl);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-ENDLIST", playlist, StringComparison.Ordinal);
        Assert.Contains($"#EXT-X-PROGRAM-DATE-TIME:{segments[1].Start.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fff}Z", playlist, StringComparison.Ordinal);

        // Over the WebSocket, seeking 2.5 s into the window starts at the keyframe at or before it (1 s keyframes):
        // what arrives is the rest of the window, from the second segment's keyframe at 2 s (or 2.x s) on.
        await using (var ws = await WsViewer.ConnectAsync(new Uri(session.WebSocketUrl + "&offset=2.5")))
        {
            Assert.True(await ws.WaitForEventAsync("ended", TimeSpan.FromSeconds(20)), "the window plays to its end");
            var media = Path.Combine(host.DataDirectory, "ws.mp4");
            await File.WriteAllBytesAsync(media, ws.Media());
            var seconds = await FramesAsync(media) / 10.0;
            var remaining = (segments[2].End - segments[1].Start).TotalSeconds - 2.5;
            Assert.InRange(seconds, remaining - 0.1, remaining + 1.1);
            Assert.True(seconds < (segments[2].End - segments[1].Start).TotalSeconds - 1, $"seeked: {seconds} s sent");
        }

        Assert.True(await Live.Processes.EventuallyAsync(
            () => host.Audit.Events.Any(e => e.Action == AuditAction.PlaybackEnded && e.SubjectId == session.SessionId), TimeSpan.FromSeconds(5)));

        // The wrong token gets nothing.
        using var stolen = await host.Http.GetAsync(session.HlsUrl.Replace("/hls/", "/hls/x", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
    }

    [Fact]
    public async Task A_failing_disk_stops_only_that_cameras_writer_which_is_replaced_on_the_same_upstream_once_writing_works_again()
    {
        await using var camera = await RtspCamera.StartAsync();
        await using var host = await RecordingHost.StartAsync(recording: false);
        var id = BrokerHost.NewCameraId();
        host.Cameras.Add(id, camera.Url, mode: CameraMode.RecordedOnly, retentionDays: 7);
        // A file where the camera's directory belongs: every segment the writer opens fails.
        Directory.CreateDirectory(host.StorageRoot);
        var blocker = Path.Combine(host.StorageRoot, SegmentFiles.SafeName(id));
        await File.WriteAllTextAsync(blocker, "in the way");

        await host.Recorder.ApplyAsync(CancellationToken.None);
        Assert.True(await Live.Processes.EventuallyAsync(() => host.Paths.Find(id)?.Status.State == Events.CameraLiveState.Online, TimeSpan.FromSeconds(20)));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await host.Recorder.ApplyAsync(CancellationToken.None); // replaces the failed writer, which fails again
        Assert.Empty(await host.SegmentsAsync(id));

        File.Delete(blocker);
        Assert.True(await Live.Processes.EventuallyAsync(() =>
        {
            host.Recorder.ApplyAsync(CancellationToken.None).GetAwaiter().GetResult();
            return host.SegmentsAsync(id).GetAwaiter().GetResult().Count >= 1;
        }, TimeSpan.FromSeconds(30)), "recording resumes once the disk accepts writes");
        Assert.Equal(1, host.Paths.Find(id)!.UpstreamStarts); // the camera was never reconnected for it
    }

    private static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Frames ffprobe decodes in the file (a segment's true length at a known frame rate).</summary>
    private static async Task<int> FramesAsync(string file)
    {
        var (code, output) = await Tool.RunAsync("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
            "-show_entries", "stream=nb_read_packets", "-of", "default=nw=1:nk=1", file);
        Assert.True(code == 0, output);
        // An HLS input lists its stream twice (in its program and on its own): the counts agree.
        return int.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim(), CultureInfo.InvariantCulture);
    }

    private static async Task<WsViewer> WatchAsync(RecordingHost host, string user, string cameraId)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/cameras/{cameraId}/live", user);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var session = (await response.Content.ReadFromJsonAsync<CameraHub.StreamBroker.Live.LiveSessionResponse>(JsonSerializerOptions.Web))!;
        return await WsViewer.ConnectAsync(new Uri(session.WebSocketUrl));
    }
}
