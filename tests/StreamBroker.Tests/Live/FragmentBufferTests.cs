using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>What a new viewer and an HLS player get from the shared buffer.</summary>
public sealed class FragmentBufferTests
{
    private static readonly InitSegment Init = new([1, 2, 3], 1000, "avc1.42C01E");

    private static Fragment Frame(bool key, byte marker = 0) => new([marker], key, 0, 100);

    [Fact]
    public void New_viewers_start_at_the_latest_keyframe_and_fragments_before_any_keyframe_are_dropped()
    {
        var buffer = new FragmentBuffer(hlsSegmentCount: 3);
        Assert.False(buffer.Append(Frame(key: true)));  // no init yet

        buffer.Reset(Init);
        Assert.False(buffer.Append(Frame(key: false)));  // cannot start mid-GOP
        Assert.True(buffer.Append(Frame(true, 1)));
        Assert.True(buffer.Append(Frame(false, 2)));
        Assert.True(buffer.Append(Frame(true, 3)));
        Assert.True(buffer.Append(Frame(false, 4)));

        Assert.Equal([3, 4], buffer.CurrentGop.Select(f => f.Data[0]));
        var segment = Assert.Single(buffer.Segments);
        Assert.Equal([1, 2], segment.Data);
        Assert.Equal(0.2, segment.Seconds, 3);
    }

    [Fact]
    public void HLS_keeps_a_bounded_window_with_sequence_numbers_that_never_repeat_across_camera_restarts()
    {
        var buffer = new FragmentBuffer(hlsSegmentCount: 2);
        buffer.Reset(Init);
        for (var i = 0; i < 5; i++)
        {
            buffer.Append(Frame(key: true));
        }

        Assert.Equal([2L, 3L], buffer.Segments.Select(s => s.Sequence));
        var segmentAdded = buffer.SegmentAdded;

        buffer.Reset(Init);
        Assert.Empty(buffer.Segments);
        Assert.Empty(buffer.CurrentGop);
        Assert.Equal(2, buffer.Generation);
        buffer.Append(Frame(key: true));
        buffer.Append(Frame(key: true));
        Assert.Equal(4L, Assert.Single(buffer.Segments).Sequence);
        Assert.True(segmentAdded.IsCompleted);
    }
}
