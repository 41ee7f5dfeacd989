using CameraHub.StreamBroker.Live;
using Microsoft.Extensions.Time.Testing;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>The slow-viewer policy: never wait, skip to the next keyframe, disconnect a viewer that stays behind.</summary>
public sealed class ViewerTests
{
    private static readonly InitSegment Init = new([0xAA], 1000, "avc1.42C01E");

    private static Fragment Frame(bool key) => new([key ? (byte)1 : (byte)0], key, 0, 100);

    private static List<ViewerMessage> Drain(Viewer viewer)
    {
        var list = new List<ViewerMessage>();
        while (viewer.Reader.TryRead(out var m))
        {
            list.Add(m);
        }

        return list;
    }

    [Fact]
    public void A_new_viewer_gets_reset_and_init_before_its_first_keyframe_and_nothing_before_it()
    {
        var time = new FakeTimeProvider();
        using var viewer = new Viewer("s", 8, time, TimeSpan.FromSeconds(5));
        viewer.Offer(Init, Frame(key: false));
        viewer.Offer(Init, Frame(key: true));
        viewer.Offer(Init, Frame(key: false));

        var messages = Drain(viewer);
        Assert.Contains("reset", messages[0].Control, StringComparison.Ordinal);
        Assert.Equal([0xAA], messages[1].Media.ToArray());
        Assert.Equal([1], messages[2].Media.ToArray());
        Assert.Equal([0], messages[3].Media.ToArray());
        Assert.Equal(4, messages.Count);
        Assert.Equal(1, viewer.DroppedFragments);
    }

    [Fact]
    public void A_full_queue_makes_the_viewer_skip_to_the_next_keyframe_instead_of_waiting()
    {
        var time = new FakeTimeProvider();
        using var viewer = new Viewer("s", 4, time, TimeSpan.FromSeconds(5));
        viewer.Offer(Init, Frame(key: true));          // reset + init + keyframe = 3
        viewer.Offer(Init, Frame(key: false));         // 4: full
        viewer.Offer(Init, Frame(key: false));         // dropped, skipping
        Drain(viewer);
        viewer.Offer(Init, Frame(key: false));         // room again, but still mid-GOP: dropped
        viewer.Offer(Init, Frame(key: true));          // resumes here
        viewer.Offer(Init, Frame(key: false));

        var messages = Drain(viewer);
        Assert.Equal([1, 0], messages.Select(m => m.Media.Span[0]));
        Assert.Equal(2, viewer.DroppedFragments);
        Assert.Null(viewer.EndReason);
    }

    [Fact]
    public void A_viewer_that_stays_behind_longer_than_the_timeout_is_disconnected()
    {
        var time = new FakeTimeProvider();
        using var viewer = new Viewer("s", 3, time, TimeSpan.FromSeconds(5));
        viewer.Offer(Init, Frame(key: true));
        viewer.Offer(Init, Frame(key: false));         // full, skipping starts
        time.Advance(TimeSpan.FromSeconds(4));
        viewer.Offer(Init, Frame(key: false));
        Assert.Null(viewer.EndReason);

        time.Advance(TimeSpan.FromSeconds(2));
        viewer.Offer(Init, Frame(key: true));          // still no room after 6 s
        Assert.Contains("too slow", viewer.EndReason, StringComparison.Ordinal);
        Assert.True(viewer.Ended.IsCancellationRequested);
    }
}
