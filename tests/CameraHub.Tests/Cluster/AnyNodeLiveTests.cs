using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Sessions;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Issue #17, any node answers: a live session opened on node A for a camera node B holds plays from B, with a token
/// only B's own re-decision turns into a stream; A never pulls the camera.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Database", "PostgreSql")]
[Collection(TwoNodesShared.Name)]
public sealed class AnyNodeLiveTests(TwoNodes nodes)
{
    private async Task<LiveSessionResponse> OpenOnAAsync(string cameraId)
    {
        using var traffic = await nodes.A.KestrelClientAsync(nodes.A.BaseAddress, "traffic");
        using var response = await traffic.PostAsync($"api/cameras/{cameraId}/live", null);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_session_opened_on_A_for_a_camera_B_holds_plays_fMP4_from_B_and_B_audits_it_once()
    {
        var session = await OpenOnAAsync(TwoNodes.OnB);

        var b = nodes.B.BaseAddress;
        Assert.StartsWith($"ws://{b.Authority}/api/live/{session.SessionId}/ws?token=", session.WebSocketUrl, StringComparison.Ordinal);
        Assert.StartsWith($"http://{b.Authority}/api/live/{session.SessionId}/hls/index.m3u8?token=", session.HlsUrl, StringComparison.Ordinal);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        var first = await FirstBinaryAsync(socket, TimeSpan.FromSeconds(30));
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(first, 4, 4));
        await Live.LiveThroughHubTests.ReceiveVideoAsync(socket, TimeSpan.FromSeconds(30));

        // One puller: B opened the camera's upstream, A never did.
        Assert.NotNull(nodes.B.Services.GetRequiredService<PathManager>().Find(TwoNodes.OnB));
        Assert.Null(nodes.A.Services.GetRequiredService<PathManager>().Find(TwoNodes.OnB));
        // The same token on a second socket gets no second session.
        using var again = new ClientWebSocket();
        var refused = await Assert.ThrowsAnyAsync<WebSocketException>(() => again.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None));
        Assert.Contains("409", refused.Message, StringComparison.Ordinal);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        using var dpo = await nodes.A.KestrelClientAsync(nodes.A.BaseAddress, "dpo");
        var started = await dpo.GetFromJsonAsync<JsonElement>($"api/audit?camera={TwoNodes.OnB}&action=LiveViewStarted", HubFactory.Json);
        var entries = started.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("subjectId").GetString() == session.SessionId).ToList();
        var entry = Assert.Single(entries);
        Assert.Contains("opened through node A", entry.GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.True(await Alarms.AlarmApi.EventuallyAsync(async () =>
        {
            var ended = await dpo.GetFromJsonAsync<JsonElement>($"api/audit?camera={TwoNodes.OnB}&action=LiveViewEnded", HubFactory.Json);
            return ended.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("subjectId").GetString() == session.SessionId) == 1;
        }, TimeSpan.FromSeconds(10)), "the end of the view is audited once, by B");
    }

    [Fact]
    public async Task The_HLS_playlist_of_a_session_opened_on_A_is_served_by_B()
    {
        var session = await OpenOnAAsync(TwoNodes.OnB);

        string body = "";
        Assert.True(await Alarms.AlarmApi.EventuallyAsync(async () =>
        {
            (_, body) = await GetAsync(session.HlsUrl);
            return body.Contains(".m4s", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(40)), body);
        Assert.Contains("#EXTM3U", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_an_expired_another_sessions_or_a_ticket_beyond_the_policy_opens_nothing_on_B()
    {
        var session = await OpenOnAAsync(TwoNodes.OnB);
        var other = await OpenOnAAsync(TwoNodes.OnB);
        var token = session.HlsUrl[(session.HlsUrl.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        var playlist = $"{nodes.B.BaseAddress}api/live/{session.SessionId}/hls/index.m3u8?token=";
        var tickets = nodes.B.Services.GetRequiredService<SessionTickets>();
        var now = DateTimeOffset.UtcNow;
        SessionTicket Ticket(string camera, bool masked = false, DateTimeOffset? expires = null) =>
            new(LiveSessions.TicketKind, session.SessionId, "traffic", ["TrafficOperator"], camera, masked, null, expires ?? now.AddMinutes(1),
                null, null, null, "A", "127.0.0.1");

        var forged = token[..^4] + (token[^4] == 'A' ? 'B' : 'A') + token[^3..];
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(playlist + forged)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(playlist + tickets.Issue(Ticket(TwoNodes.OnB, expires: now.AddSeconds(-1))))).Status);
        var otherToken = other.HlsUrl[(other.HlsUrl.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(playlist + otherToken)).Status);
        // Verified tickets the policy would not give now: a camera without a grant, a feed the camera does not have.
        var (status, body) = await GetAsync(playlist + tickets.Issue(Ticket(TwoNodes.Other)));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("no grant", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(playlist + tickets.Issue(Ticket(TwoNodes.OnB, masked: true)))).Status);
        Assert.Null(nodes.B.Services.GetRequiredService<LiveSessions>().Open.FirstOrDefault(s => s.Id == session.SessionId));

        // And the real token still opens it.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(playlist + token)).Status);
    }

    [Fact]
    public async Task A_camera_no_node_holds_answers_503_with_Retry_After()
    {
        using var traffic = await nodes.A.KestrelClientAsync(nodes.A.BaseAddress, "traffic");
        using var response = await traffic.PostAsync($"api/cameras/{TwoNodes.Unheld}/live", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("no node", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<byte[]> FirstBinaryAsync(WebSocket socket, TimeSpan within)
    {
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return buffer[..result.Count];
            }
        }
    }
}
