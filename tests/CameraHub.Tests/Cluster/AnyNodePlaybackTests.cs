using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using CameraHub.StreamBroker.Playback;
using CameraHub.StreamBroker.Recording;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Issue #17, playback on any node: footage on the storage both nodes mount, a playback opened on node A for a camera
/// node B holds is served by B (WebSocket fMP4 and the HLS playlist), its token refused when forged.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Database", "PostgreSql")]
[Collection(TwoNodesShared.Name)]
public sealed class AnyNodePlaybackTests(TwoNodes nodes)
{
    /// <summary>A 4-second fMP4 segment recorded a minute ago, on the shared storage and in the shared index.</summary>
    private async Task<(DateTimeOffset From, DateTimeOffset To)> SeedAsync()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var relative = $"{TwoNodes.Recorded}/{start.UtcTicks}.mp4";
        var file = Path.Combine(nodes.Recordings, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var (code, log) = await Tool.RunAsync("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "4",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p", "-movflags", "empty_moov+default_base_moof+frag_keyframe", "-f", "mp4", file);
        Assert.True(code == 0, log);
        await nodes.A.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<RecordingDbContext>();
            db.RecordingSegments.Add(new RecordingSegment
            {
                CameraId = TwoNodes.Recorded, StartUtcTicks = start.UtcTicks, EndUtcTicks = start.AddSeconds(4).UtcTicks, Path = relative,
                Bytes = new FileInfo(file).Length, State = SegmentState.Complete,
            });
            return await db.SaveChangesAsync();
        });
        return (start.AddSeconds(-1), start.AddSeconds(5));
    }

    [Fact]
    public async Task A_playback_opened_on_A_is_served_by_B_from_the_shared_storage_and_audited_once()
    {
        var (from, to) = await SeedAsync();
        using var traffic = await nodes.A.KestrelClientAsync(nodes.A.BaseAddress, "traffic");
        using var opened = await traffic.PostAsJsonAsync($"api/cameras/{TwoNodes.Recorded}/playback", new { from, to });
        Assert.True(opened.StatusCode == HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        var session = (await opened.Content.ReadFromJsonAsync<PlaybackSessionResponse>(HubFactory.Json))!;

        Assert.StartsWith($"ws://{nodes.B.BaseAddress.Authority}/api/playback/{session.SessionId}/ws?token=", session.WebSocketUrl, StringComparison.Ordinal);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        var (binary, ended, first) = (0, false, Array.Empty<byte>());
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!ended)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                first = binary++ == 0 ? buffer[..result.Count] : first;
            }
            else
            {
                ended = result.MessageType == WebSocketMessageType.Close || Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("\"ended\"", StringComparison.Ordinal);
            }
        }

        Assert.Equal("ftyp", Encoding.ASCII.GetString(first, 4, 4));
        Assert.True(binary >= 3, $"{binary} binary messages");

        using var http = new HttpClient();
        var playlist = await http.GetStringAsync(session.HlsUrl);
        Assert.Contains("media.m4s", playlist, StringComparison.Ordinal);
        using var forged = await http.GetAsync(session.HlsUrl.Replace($"/hls/", "/hls/x", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);

        using var dpo = await nodes.A.KestrelClientAsync(nodes.A.BaseAddress, "dpo");
        var started = await dpo.GetFromJsonAsync<JsonElement>($"api/audit?camera={TwoNodes.Recorded}&action=PlaybackStarted", HubFactory.Json);
        var entry = Assert.Single(started.GetProperty("items").EnumerateArray(), e => e.GetProperty("subjectId").GetString() == session.SessionId);
        Assert.Contains("opened through node A", entry.GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.NotNull(nodes.B.Services.GetRequiredService<PlaybackSessions>().Find(session.SessionId,
            session.WebSocketUrl[(session.WebSocketUrl.IndexOf("token=", StringComparison.Ordinal) + 6)..]));
    }
}
