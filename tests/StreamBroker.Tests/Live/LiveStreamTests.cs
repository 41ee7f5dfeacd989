using System.Net.Http.Json;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>The broker against a real RTSP camera, real ffmpeg and real WebSocket/HLS clients.</summary>
[Trait("Category", "Integration")]
public sealed class LiveStreamTests
{
    [Fact]
    public async Task Viewer_receives_H264_fragmented_MP4_that_ffprobe_reads_and_that_decodes_from_the_first_frame()
    {
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using (var broker = await BrokerHost.StartAsync())
        {
            broker.AddWatchableCamera(id, camera.Url);

            await using var viewer = await broker.WatchAsync("traffic", id);
            Assert.True(await viewer.WaitForMessagesAsync(25, BrokerHost.Patience), "no video arrived over the WebSocket");

            var file = Path.Combine(Path.GetTempPath(), $"{id}.mp4");
            await File.WriteAllBytesAsync(file, viewer.Media());
            try
            {
                Assert.Contains("width=320", await Processes.AssertH264Async(file), StringComparison.Ordinal);

                // The first frame must decode without errors: the viewer started at a keyframe.
                var (decodeCode, decodeLog) = await Tool.RunAsync("ffmpeg", "-v", "error", "-xerror", "-i", file, "-frames:v", "1", "-f", "null", "-");
                Assert.True(decodeCode == 0 && decodeLog.Trim().Length == 0, decodeLog);
            }
            finally
            {
                File.Delete(file);
            }
        }

        Assert.Empty(Processes.WithMarker(UpstreamArguments.Marker(id)));
    }

    [Fact]
    public async Task HLS_playlist_and_segments_from_the_same_upstream_are_read_by_ffprobe_as_H264()
    {
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using (var broker = await BrokerHost.StartAsync())
        {
            broker.AddWatchableCamera(id, camera.Url);
            await using var viewer = await broker.WatchAsync("traffic", id);
            var session = await broker.OpenSessionAsync("traffic", id);

            await Processes.AssertH264Async(session.HlsUrl);

            // WebSocket and HLS viewers share one camera connection.
            Assert.Single(Processes.WithMarker(UpstreamArguments.Marker(id)));
            Assert.Equal(1, broker.Paths.Find(id)!.UpstreamStarts);
        }

        Assert.Empty(Processes.WithMarker(UpstreamArguments.Marker(id)));
    }

    [Fact]
    public async Task Twenty_viewers_share_one_upstream_which_closes_after_the_last_leaves()
    {
        await using var camera = await RtspCamera.StartAsync();
        var id = BrokerHost.NewCameraId();
        await using var broker = await BrokerHost.StartAsync();
        broker.AddWatchableCamera(id, camera.Url);

        var viewers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => broker.WatchAsync("traffic", id)));
        try
        {
            foreach (var v in viewers)
            {
                Assert.True(await v.WaitForMessagesAsync(10, BrokerHost.Patience), "a viewer got no video");
            }

            Assert.Single(Processes.WithMarker(UpstreamArguments.Marker(id)));
            Assert.Equal(1, broker.Paths.Find(id)!.UpstreamStarts);
            var status = await broker.ViewersAsync(id);
            Assert.Equal(20, status.Viewers);
            Assert.Equal(CameraLiveState.Online, status.State);
        }
        finally
        {
            foreach (var v in viewers)
            {
                await v.DisposeAsync();
            }
        }

        // Grace is one second in tests: the camera connection is closed soon after the last viewer left.
        Assert.True(await Processes.EventuallyAsync(() => Processes.WithMarker(UpstreamArguments.Marker(id)).Count == 0, BrokerHost.Patience),
            $"ffmpeg still runs; path viewers: {broker.Paths.Find(id)?.ViewerCount}, open sessions: {broker.Sessions.Open.Count}");
        Assert.Null(broker.Paths.Find(id));
        Assert.Equal(20, broker.Audit.Events.Count(e => e.Action == AuditAction.LiveViewEnded && e.CameraId == id));
        Assert.True(broker.Cameras.Bitrates.ContainsKey(id), "the measured bitrate was not reported to the registry");
    }
}
