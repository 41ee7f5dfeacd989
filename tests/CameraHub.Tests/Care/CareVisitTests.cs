using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CameraHub.CameraRegistry.Care;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.Tests.Care;

/// <summary>
/// Care supervision visits through the whole hub with a real RTSP camera and the fake clock (13:00 in Göteborg): a look
/// plays inside its window and is cut at the longest look; outside a window everyone gets 409 naming the next one; a
/// second look needs a reason; withdrawing ends an open look; a visit nobody looked at is missed and the unit hears it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CareVisitTests : IAsyncLifetime
{
    private const string CameraId = "TRY-T-01";
    private readonly HubFactory _factory = new();
    private RtspTestPattern _camera = null!;
    private CareHub _hub = null!;

    public async Task InitializeAsync()
    {
        _camera = await RtspTestPattern.StartAsync(CameraId, 320, 240, 10, NullLogger.Instance, CancellationToken.None);
        _hub = new CareHub(_factory, CameraId);
        await _hub.ArrangeAsync(_camera.Uri.ToString());
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _camera.DisposeAsync();
    }

    [Fact]
    public async Task A_look_inside_the_window_plays_and_the_stream_is_cut_at_the_longest_look()
    {
        await _hub.DecideAsync("daily 13:05");
        var visit = (await _hub.VisitsAsync()).Single();

        using var look = await _hub.LookAsync("care", visit.GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.Created, look.StatusCode);
        var started = (await look.Content.ReadFromJsonAsync<CareLookResponse>(HubFactory.Json))!;
        Assert.Equal(_factory.Time.GetUtcNow().UtcDateTime.AddMinutes(3), started.EndsAt);
        using var opened = await _hub.OpenLiveAsync("care");
        var socket = await _hub.WatchAsync(opened);

        _factory.Time.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));

        var ended = await CareHub.EndedAsync(socket, TimeSpan.FromSeconds(10));
        Assert.Contains("time limit", ended, StringComparison.Ordinal);
        using var again = await _hub.OpenLiveAsync("care");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        socket.Abort();
    }

    [Fact]
    public async Task One_minute_before_the_window_everybody_is_refused_with_409_naming_the_window_and_an_emergency_look_is_flagged()
    {
        var decision = await _hub.DecideAsync("daily 13:16,22:00");
        var visit = (await _hub.VisitsAsync(atLeast: 2))[0];

        foreach (var user in new[] { "care", "admin" })
        {
            using var refused = await _hub.OpenLiveAsync(user);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("the next window is 2026-11-24 13:01–13:31 (Europe/Stockholm)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var early = await _hub.LookAsync("care", visit.GetProperty("id").GetGuid()))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        }

        var care = await _hub.Hub.SignInAsAsync("care");
        using (var noReason = await care.PostAsJsonAsync($"/api/care/decisions/{decision}/emergency-look", new { reason = "" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        }

        using (var emergency = await care.PostAsJsonAsync($"/api/care/decisions/{decision}/emergency-look", new { reason = "the resident pressed the alarm" }))
        {
            Assert.Equal(HttpStatusCode.Created, emergency.StatusCode);
        }

        using var watched = await _hub.OpenLiveAsync("care");
        var socket = await _hub.WatchAsync(watched);
        socket.Abort();
        Assert.Equal(1, await _hub.AuditCountAsync("CareEmergencyLook"));
        var report = await (await _hub.Hub.SignInAsAsync("dpo")).GetFromJsonAsync<JsonElement>("/api/care/reports/visits?month=2026-11");
        Assert.Equal(1, report.EnumerateArray().Single(r => r.GetProperty("careUnit").GetString() == CareHub.Unit).GetProperty("looksOutsideSchedule").GetInt32());
    }

    [Fact]
    public async Task A_second_look_in_the_same_window_needs_a_reason_and_is_audited()
    {
        await _hub.DecideAsync("daily 13:05");
        var id = (await _hub.VisitsAsync()).Single().GetProperty("id").GetGuid();
        using (var first = await _hub.LookAsync("care", id))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        _factory.Time.Advance(TimeSpan.FromMinutes(4));
        using (var bare = await _hub.LookAsync("care", id))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
            Assert.Contains("second look needs a reason", await bare.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var second = await _hub.LookAsync("care", id, "the picture was dark; checking again"))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        Assert.Equal(2, (await _hub.VisitsAsync()).Single().GetProperty("looks").GetInt32());
        Assert.Equal(2, await _hub.AuditCountAsync("CareLookStarted"));
    }

    [Fact]
    public async Task Withdrawing_the_decision_ends_an_open_look_within_five_seconds()
    {
        var decision = await _hub.DecideAsync("daily 13:05");
        using (await _hub.LookAsync("care", (await _hub.VisitsAsync()).Single().GetProperty("id").GetGuid()))
        {
        }

        using var opened = await _hub.OpenLiveAsync("care");
        var socket = await _hub.WatchAsync(opened);

        var admin = await _hub.Hub.SignInAsAsync("admin");
        using (var withdrawn = await admin.PostAsJsonAsync($"/api/care/decisions/{decision}/withdraw", new { reason = "consent withdrawn" }))
        {
            Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        }

        var ended = await CareHub.EndedAsync(socket, TimeSpan.FromSeconds(5));
        Assert.Contains("withdrawn", ended, StringComparison.Ordinal);
        using var again = await _hub.OpenLiveAsync("care");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        socket.Abort();
    }

    [Fact]
    public async Task A_visit_nobody_looked_at_is_missed_when_its_window_closes_and_its_unit_hears_it()
    {
        await _hub.DecideAsync("daily 13:05");
        var id = (await _hub.VisitsAsync()).Single().GetProperty("id").GetGuid();
        var heard = new List<JsonElement>();
        var heardByOtherUnit = new List<JsonElement>();
        await using var care = await EventsAsync("care", heard);
        await using var care2 = await EventsAsync("care2", heardByOtherUnit);

        // 13:19: the window (12:50–13:20) is still open, so a pass of the keeper leaves the visit planned.
        _factory.Time.Advance(TimeSpan.FromMinutes(19));
        await _factory.Services.GetRequiredService<CareVisitKeeper>().TickAsync(CancellationToken.None);
        Assert.Equal(VisitState.Planned, (await _hub.VisitEventuallyAsync(id, VisitState.Planned)).State);
        _factory.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(VisitState.Missed, (await _hub.VisitEventuallyAsync(id, VisitState.Missed)).State);
        Assert.True(await Processes.EventuallyAsync(() => heard.Count == 1, TimeSpan.FromSeconds(10)), "the care unit was not told");
        Assert.Equal(id, heard[0].GetProperty("visitId").GetGuid());
        Assert.Equal(1, await _hub.AuditCountAsync("CareVisitMissed"));
        Assert.Empty(heardByOtherUnit);

        // The missed visit is an alarm in the queue: for its own unit's staff, not for another unit's.
        var careQueue = await _hub.Hub.SignInAsAsync("care");
        var alarm = await Alarms.AlarmApi.EventuallyAsync(
            async () => (await Alarms.AlarmApi.AlarmsAsync(careQueue)).FirstOrDefault(a => a.GetProperty("kind").GetString() == "care.MissedVisit"),
            TimeSpan.FromSeconds(10));
        Assert.NotEqual(JsonValueKind.Undefined, alarm.ValueKind);
        Assert.Equal(_hub.CameraId, alarm.GetProperty("cameraId").GetString());
        Assert.Contains("Missed supervision visit", alarm.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await Alarms.AlarmApi.AlarmsAsync(await _hub.Hub.SignInAsAsync("care2")),
            a => a.GetProperty("kind").GetString() == "care.MissedVisit");
    }

    private async Task<HubConnection> EventsAsync(string user, List<JsonElement> heard)
    {
        var token = (await _hub.Hub.SignInAsAsync(user)).DefaultRequestHeaders.Authorization!.Parameter;
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_factory.Server.BaseAddress, "/hubs/events"), o =>
            {
                o.HttpMessageHandlerFactory = _ => _factory.Server.CreateHandler();
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        connection.On<JsonElement>("careVisitMissed", e =>
        {
            lock (heard)
            {
                heard.Add(e);
            }
        });
        await connection.StartAsync();
        return connection;
    }
}
