using System.Security.Claims;
using CameraHub.CameraRegistry.Audit;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>Session tokens and session ends, on a fake clock.</summary>
public sealed class LiveSessionsTests
{
    private static (LiveSessions Sessions, TestAudit Audit, TestDirectory Cameras, PathManager Paths) Create(FakeTimeProvider time, BrokerOptions? settings = null)
    {
        var options = Options.Create(settings ?? new BrokerOptions());
        var audit = new TestAudit();
        var cameras = new TestDirectory();
        var events = new TestEvents();
        var paths = new PathManager(options, NullLoggerFactory.Instance, time, events, cameras);
        var feeds = new MaskedFeeds(paths, new NoFeedMasks(), cameras, options, time, NullLoggerFactory.Instance);
        var sessions = new LiveSessions(options, time, audit, new TestPolicy(), events, cameras, feeds, NullLogger<LiveSessions>.Instance);
        return (sessions, audit, cameras, paths);
    }

    private static ClaimsPrincipal User(string name) => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "test"));

    [Fact]
    public async Task A_session_ends_when_the_cameras_allowed_hours_end_and_the_end_is_audited()
    {
        // Tuesday 2026-11-24 05:30 Stockholm (04:30 UTC): inside the school night window, which ends at 06:00.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 4, 30, 0, TimeSpan.Zero));
        // A token valid for longer than the test, so only the allowed hours can end the session.
        var (sessions, audit, cameras, paths) = Create(time, new BrokerOptions { TokenLifetime = TimeSpan.FromHours(2) });
        await using var pathsOwner = paths;
        var camera = cameras.Add("SCH-1", "rtsp://127.0.0.1:9/x", allowedHours: "Mon-Fri 20:00-06:00");
        var session = sessions.Create(User("police"), camera, "127.0.0.1");
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 5, 0, 0, TimeSpan.Zero), session.EndsAt);

        // The viewer keeps watching for half an hour; the session lasts exactly until the window closes.
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(30); elapsed += TimeSpan.FromSeconds(10))
        {
            Assert.Equal(SessionRefusal.None, sessions.TryOpen(session.Id, session.Token, hls: false, out _));
            await sessions.SweepAsync();
            Assert.False(session.IsEnded);
            time.Advance(TimeSpan.FromSeconds(10));
        }

        await sessions.SweepAsync();
        Assert.True(session.IsEnded);
        var ended = Assert.Single(audit.Events, e => e.Action == AuditAction.LiveViewEnded);
        Assert.Contains("allowed hours ended", ended.Details, StringComparison.Ordinal);
        Assert.Equal("SCH-1", ended.CameraId);
    }

    [Fact]
    public void A_token_expires_and_only_opens_its_own_session()
    {
        var time = new FakeTimeProvider();
        var (sessions, _, cameras, _) = Create(time);
        var a = sessions.Create(User("traffic"), cameras.Add("A", "rtsp://127.0.0.1:9/a"), null);
        var b = sessions.Create(User("traffic"), cameras.Add("B", "rtsp://127.0.0.1:9/b"), null);

        Assert.Matches("^[A-Za-z0-9_-]{43,}$", a.Token); // an opaque, URL-safe ticket (Data Protection, live.md "Any node answers")
        Assert.Equal(SessionRefusal.BadToken, sessions.TryOpen(b.Id, a.Token, hls: false, out _));
        Assert.Equal(SessionRefusal.UnknownSession, sessions.TryOpen("nope", a.Token, hls: false, out _));
        Assert.Equal(SessionRefusal.None, sessions.TryOpen(a.Id, a.Token, hls: false, out var opened));
        Assert.Same(a, opened);

        time.Advance(new BrokerOptions().TokenLifetime);
        Assert.Equal(SessionRefusal.Expired, sessions.TryOpen(a.Id, a.Token, hls: false, out _));
    }
}
