using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.Onvif.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Console;

/// <summary>
/// Playback in Chromium: a recorded camera's event is a mark on the timeline at its time, and an operator adds a
/// bookmark with a note from playback that then shows as a mark too.
/// </summary>
[Collection(ConsoleBrowser.Name)]
[Trait("Category", "Browser")]
public sealed class PlaybackMarksTests(DemoHub hub)
{
    private const string Camera = "GAR-001-K01";

    [Fact]
    public async Task A_cameras_event_is_a_mark_on_the_timeline_and_a_bookmark_with_a_note_is_added_from_playback()
    {
        var segments = await hub.RecordedSegmentsAsync("housing", Camera, count: 2);
        var motionAt = segments[0].Start + ((segments[0].End - segments[0].Start) / 2);
        var contexts = hub.Services.GetRequiredService<IDbContextFactory<AlarmsDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.CameraEvents.Add(new CameraEventRecord
            {
                CameraId = Camera, Category = CameraEventCategory.Motion, Topic = "tns1:RuleEngine/CellMotionDetector/Motion",
                Operation = "Changed", Active = true, OccurredUtcTicks = motionAt.UtcTicks, ReceivedUtcTicks = motionAt.UtcTicks, RawXml = "<tt:Message/>",
            });
            await db.SaveChangesAsync();
        }

        var page = await hub.SignInAsync("housing");
        try
        {
            await page.ClickAsync("nav#nav a[data-nav=playback]");
            await page.SelectOptionAsync("#playback-camera", Camera);
            await page.WaitForSelectorAsync("#timeline-marks li[data-kind=event]");

            // The event is drawn at its moment in the band above the recordings (orange), and listed.
            var pixel = await page.EvaluateAsync<string>(@"at => {
                const c = document.querySelector('#timeline');
                const px = Math.round((new Date(at) - new Date(c.dataset.viewStart)) / Number(c.dataset.viewSpan) * c.width);
                return Array.from(c.getContext('2d').getImageData(px, 6, 1, 1).data).slice(0, 3).join(',');
            }", motionAt.ToString("O"));
            Assert.Equal("194,84,0", pixel);
            Assert.Contains("Motion", await page.TextContentAsync("#timeline-marks li[data-kind=event]"), StringComparison.Ordinal);

            // From the mark, playback starts there; a bookmark with a note goes at the playback position.
            await page.ClickAsync("#timeline-marks li[data-kind=event] button");
            await page.WaitForFunctionAsync("() => document.querySelector('.player video').currentTime > 0.5", null, new() { Timeout = 30_000 });
            await page.FillAsync("#bookmark-note", "dörren till förrådet står öppen");
            await page.ClickAsync("#bookmark-form button[type=submit]");
            var listed = await page.WaitForSelectorAsync("#timeline-marks li[data-kind=bookmark]");
            Assert.Contains("dörren till förrådet står öppen (housing)", await listed!.TextContentAsync(), StringComparison.Ordinal);
            Assert.Equal("2", await page.GetAttributeAsync("#timeline", "data-marks"));

            // Stored where the recording is: at or just after the event, within the recorded segment.
            using var api = await hub.ApiAsAsync("housing");
            var bookmarks = await api.GetFromJsonAsync<JsonElement>($"/api/cameras/{Camera}/bookmarks");
            var stored = bookmarks.EnumerateArray().Single(b => b.GetProperty("note").GetString() == "dörren till förrådet står öppen");
            var at = stored.GetProperty("at").GetDateTimeOffset();
            Assert.InRange(at, motionAt.AddSeconds(-1), segments[^1].End.AddSeconds(30));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
