using System.Net.Http.Json;
using CameraHub.StreamBroker.Tests.Live;

namespace CameraHub.Tests.Console;

/// <summary>
/// The mask lift in the console, in two browsers: the requester asks from the camera's page, cannot approve their own
/// request, a second person approves it from the approval queue (in Swedish), the requester's wall shows the UNMASKED
/// banner with the countdown, and when the lift expires the tile is masked again; an approver can also refuse from the
/// queue with a reason the requester sees.
/// </summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class MaskLiftFlowTests(DemoHub hub)
{
    [Fact]
    public async Task A_lift_asked_for_in_the_console_is_approved_by_someone_else_unmasks_the_wall_and_expires()
    {
        await using var camera = await RtspCamera.StartAsync("liftflow", fps: 10);
        var id = await hub.LiftableCameraAsync("TRF-Q", camera.Url, ("traffic", "Live, Unmask"), ("admin", "Unmask"));
        var requester = await hub.SignInAsync("traffic");
        var approver = await hub.SignInAsync("admin", "sv");
        try
        {
            // The requester asks from the camera's page: reason, the live picture, one minute.
            await requester.GotoAsync(new Uri(hub.Address, $"/#/cameras/{id}").ToString());
            await requester.ClickAsync("[data-action=request-lift]");
            await requester.WaitForSelectorAsync("#lift-form");
            Assert.Equal(id, await requester.InputValueAsync("#lift-form select[name=camera]"));
            await requester.FillAsync("#lift-form input[name=minutes]", "1");
            await requester.FillAsync("#lift-form textarea[name=reason]", "Rån på torget, ärende 5000-K77-26");
            await requester.ClickAsync("#lift-form button[type=submit]");
            await requester.WaitForSelectorAsync("#lift-form .notice");
            var own = await requester.WaitForSelectorAsync("#lift-mine tr[data-state=Requested]");
            var liftId = await own!.GetAttributeAsync("data-lift");

            // Four eyes: the requester is offered no approval of their own request, and the API refuses it.
            Assert.Null(await requester.QuerySelectorAsync($"#lift-queue tr[data-lift='{liftId}']"));
            var status = await requester.EvaluateAsync<int>($"fetch('/api/mask-lifts/{liftId}/approve', {{ method: 'POST' }}).then(r => r.status)");
            Assert.Equal(403, status);

            // The second person sees it in the queue with requester, camera and reason, and approves.
            await approver.GotoAsync(new Uri(hub.Address, "/#/mask-lifts").ToString());
            var row = await approver.WaitForSelectorAsync($"#lift-queue tr[data-lift='{liftId}']");
            var text = await row!.InnerTextAsync();
            Assert.Contains("traffic", text, StringComparison.Ordinal);
            Assert.Contains(id, text, StringComparison.Ordinal);
            Assert.Contains("Rån på torget", text, StringComparison.Ordinal);
            Assert.Contains("live", text, StringComparison.Ordinal);
            await DemoHub.ScreenshotAsync(approver, "mask-lifts");
            await approver.ClickAsync($"#lift-queue tr[data-lift='{liftId}'] button[data-action=approve]");
            await approver.WaitForSelectorAsync($"#lift-mine tr[data-lift='{liftId}'][data-state=Approved]");
            Assert.Equal("gäller", await approver.TextContentAsync($"#lift-mine tr[data-lift='{liftId}'] [data-role=state]"));

            // The requester's wall shows the original with the UNMASKED banner and the lift's countdown...
            await requester.GotoAsync(new Uri(hub.Address, $"/#/wall?layout=1&cameras={id}").ToString());
            var banner = await requester.WaitForSelectorAsync($".tile[data-camera={id}] .unmasked-banner", new() { Timeout = 30_000 });
            Assert.Contains("UNMASKED", await banner!.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Matches(@"\b(1:00|0:[0-5]\d)\b", await banner.InnerTextAsync());
            await requester.WaitForSelectorAsync($".tile[data-camera={id}][data-state=live]", new() { Timeout = 30_000 });

            // ...until the lift expires: the unmasked session ends and the tile comes back masked.
            await requester.WaitForSelectorAsync($".tile[data-camera={id}] .mask-mark", new() { Timeout = 100_000 });
            Assert.Null(await requester.QuerySelectorAsync($".tile[data-camera={id}] .unmasked-banner"));
            await requester.GotoAsync(new Uri(hub.Address, "/#/mask-lifts").ToString());
            await requester.WaitForSelectorAsync($"#lift-mine tr[data-lift='{liftId}'][data-state=Expired]");
        }
        finally
        {
            await requester.Context.CloseAsync();
            await approver.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task An_approver_refuses_a_lift_from_the_queue_with_a_reason_the_requester_then_sees()
    {
        var id = await hub.LiftableCameraAsync("TRF-R", "rtsp://127.0.0.1:9/none", ("traffic", "Live, Unmask"), ("admin", "Unmask"));
        using var traffic = await hub.ApiAsAsync("traffic");
        using var asked = await traffic.PostAsJsonAsync($"/api/cameras/{id}/mask-lifts", new { reason = "Klotter på torget", live = true, minutes = 5 });
        Assert.Equal(System.Net.HttpStatusCode.Created, asked.StatusCode);
        var liftId = (await asked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString();

        var approver = await hub.SignInAsync("admin");
        try
        {
            await approver.GotoAsync(new Uri(hub.Address, "/#/mask-lifts").ToString());
            await approver.FillAsync($"#lift-queue tr[data-lift='{liftId}'] [data-field=refuse-reason]", "Inget ärende angivet");
            await approver.ClickAsync($"#lift-queue tr[data-lift='{liftId}'] button[data-action=refuse]");
            var row = await approver.WaitForSelectorAsync($"#lift-mine tr[data-lift='{liftId}'][data-state=Ended]");
            Assert.Contains("Inget ärende angivet", await row!.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Null(await approver.QuerySelectorAsync($"#lift-queue tr[data-lift='{liftId}']"));
        }
        finally
        {
            await approver.Context.CloseAsync();
        }

        var seen = await traffic.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/mask-lifts");
        var lift = seen.EnumerateArray().Single(l => l.GetProperty("id").GetString() == liftId);
        Assert.Equal("Ended", lift.GetProperty("state").GetString());
        Assert.Equal("Inget ärende angivet", lift.GetProperty("endReason").GetString());
    }
}
