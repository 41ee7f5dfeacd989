using System.Diagnostics;
using System.Net.Http.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.CameraMasks;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Masking;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.CameraMasks;

/// <summary>
/// The hourly verification (issue #14: "at least hourly"), driven by the hub's fake clock: a camera verified to draw its
/// Media2 masks stops drawing them (it still lists them) between two verifications; half an hour later it is still
/// trusted (nothing has looked), and the verification due an hour after the last one catches it — the reader of its own
/// stream is ended, the warning camera event and the hub alarm are written, and a new reader gets the hub's masked feed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CameraMaskHourlyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Camera = "M2T-HOURLY";

    [Fact]
    public async Task A_camera_that_stops_drawing_its_masks_between_two_checks_is_caught_at_the_next_hourly_verification_and_readers_get_the_hubs_masked_feed()
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = Camera, Name = Camera, Width = CameraMaskHub.Width, Height = CameraMaskHub.Height, FramesPerSecond = 10,
            EventService = false, PrivacyMasks = FakeMaskSupport.Applied,
        });
        await using var hub = new HubFactory(settings: new()
        {
            // The fake clock jumps by half an hour: the upstream's stall watchdog and the slow-viewer cut-off run on the
            // same clock and would end the run (a reconnect, verified again for that reason) — not what is tested here.
            ["CameraHub:Broker:StallTimeout"] = "02:00:00",
            ["CameraHub:Broker:SlowViewerTimeout"] = "02:00:00",
            ["CameraHub:Broker:TokenLifetime"] = "03:00:00",
            ["CameraHub:CameraMasks:CheckSeconds"] = "5",
            ["CameraHub:CameraMasks:ReverifyMinutes"] = "60",
            // Waited on the fake clock: zero lets a just-provisioned camera be looked at again at once (real seconds apart).
            ["CameraHub:CameraMasks:ApplySeconds"] = "0",
        });
        var baseAddress = hub.StartOnKestrel();
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await hub.CreateCameraAsync(CameraMaskHub.Input(camera, CameraMaskHub.LeftHalf));
        await hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Camera, CameraRight.Live);
        var trust = hub.Services.GetRequiredService<CameraMaskTrust>();
        var source = (await hub.Services.GetRequiredService<ICameraDirectory>().FindAsync(Camera, default))!;

        // The first reader opens the camera path; the watch's timer ticks on the fake clock only.
        using (var traffic = await hub.KestrelClientAsync(baseAddress, "traffic"))
        {
            await using var first = await LiveReader.OpenAsync(traffic, Camera);
            var verified = await AdvanceUntilAsync(hub, () => trust.Site(Camera, source.Masking) is { AtCamera: true } s ? s : null, TimeSpan.FromSeconds(30), "first verification");
            var verifiedAt = verified.VerifiedAt!.Value;
            output.WriteLine($"verified at {verifiedAt:O} (fake clock): {verified.Reason}");

            // A reader now is let onto the camera's own path (one more there; the hub's masked feed keeps its one reader).
            var paths = hub.Services.GetRequiredService<PathManager>();
            var onCamera = paths.Find(Camera)!.ViewerCount;
            await using var trusted = await LiveReader.OpenAsync(traffic, Camera);
            await CameraMaskHub.EventuallyAsync(() => paths.Find(Camera)!.ViewerCount == onCamera + 1 && trusted.Fragments > 0,
                "the reader after the verification is relayed the camera's own stream");
            Assert.Equal(1, paths.Find(MaskedFeeds.MaskedFeedKey(Camera))!.ViewerCount);

            // The camera loses its masks: it still answers GetMasks with them, its picture shows everything.
            await camera.Masks!.StopApplyingAsync(default);
            Assert.NotEmpty(camera.Masks.Masks);

            // Half an hour on: checks run every 5 s (the timer ticks), no verification is due, trust still holds.
            hub.Time.Advance(verifiedAt + TimeSpan.FromMinutes(30) - hub.Time.GetUtcNow());
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True(trust.Site(Camera, source.Masking)!.AtCamera, "nothing is due half an hour after the verification");
            Assert.False(trusted.Ended);

            // An hour after the verification the watch looks again and catches it.
            hub.Time.Advance(verifiedAt + TimeSpan.FromMinutes(60) - hub.Time.GetUtcNow());
            var caught = await WaitAsync(() => trust.Site(Camera, source.Masking) is { } s && s.Reason.Contains("failed verification", StringComparison.Ordinal) ? s : null,
                TimeSpan.FromSeconds(60), "the hourly verification");
            output.WriteLine($"caught at {caught.CheckedAt:O}: {caught.Reason}");
            Assert.False(caught.AtCamera);
            Assert.True(caught.CheckedAt >= verifiedAt + TimeSpan.FromMinutes(60));
            await CameraMaskHub.EventuallyAsync(() => trusted.Ended, "the reader of the camera's own stream is ended when it is caught");
        }

        // Signed in again (an hour passed on the hub's clock): a new reader gets the hub's masked feed, obscured.
        using var again = await hub.KestrelClientAsync(baseAddress, "traffic");
        await using (var masked = await LiveReader.OpenAsync(again, Camera))
        {
            await CameraMaskHub.EventuallyAsync(() => masked.Fragments > 0 && Processes.WithMarker(MaskedFeedArguments.Marker(Camera)).Count == 1,
                "the new reader is fed by the hub's masked encoder");
        }

        await using var scope = hub.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AlarmsDbContext>>().CreateDbContextAsync();
        var alarm = await db.Alarms.SingleAsync(a => a.Kind == HubAlarmKinds.CameraMaskNotApplied && a.CameraId == Camera);
        Assert.Contains("does not show them", alarm.Text, StringComparison.Ordinal);
        var warning = await db.CameraEvents.SingleAsync(e => e.CameraId == Camera && e.Topic == CameraMaskWatch.NotAppliedTopic);
        output.WriteLine($"warning event at {warning.OccurredAt:O}");
        var shown = await again.GetFromJsonAsync<MaskSiteView>($"api/cameras/{Camera}/mask-site", HubFactory.Json);
        Assert.Equal("hub", shown!.MaskedAt);
    }

    /// <summary>Advances the fake clock by <paramref name="step"/> until <paramref name="found"/> answers (real seconds between steps).</summary>
    private static async Task<T> AdvanceUntilAsync<T>(HubFactory hub, Func<T?> found, TimeSpan step, string what)
        where T : class
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (found() is { } value)
            {
                return value;
            }

            hub.Time.Advance(step);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        throw new TimeoutException($"not within 120 s: {what}");
    }

    private static async Task<T> WaitAsync<T>(Func<T?> found, TimeSpan within, string what)
        where T : class
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            if (found() is { } value)
            {
                return value;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"not within {within.TotalSeconds} s: {what}");
    }
}
