using CameraHub.StreamBroker.Playback;
using CameraHub.StreamBroker.Recording;

namespace CameraHub.StreamBroker.Tests.Recording;

/// <summary>The recordings listing's gaps and their reasons, as the playback timeline shows them.</summary>
public sealed class RecordingGapTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static RecordingSegment Segment(int fromSecond, int toSecond, string? node, SegmentState state = SegmentState.Complete) => new()
    {
        CameraId = "cam",
        StartUtcTicks = T0.AddSeconds(fromSecond).UtcTicks,
        EndUtcTicks = T0.AddSeconds(toSecond).UtcTicks,
        Path = $"cam/{fromSecond}.mp4",
        Node = node,
        State = state,
    };

    [Fact]
    public void A_gap_where_another_node_took_the_camera_over_names_both_nodes()
    {
        // hub-2 died at 5.3 s; hub-1 recovered its torn last segment (which names no writer) and records from 9 s.
        var rows = new[] { Segment(0, 2, "hub-2"), Segment(2, 4, "hub-2"), Segment(4, 5, null), Segment(9, 11, "hub-1") };

        var gap = Assert.Single(RecordingEndpoints.Gaps(rows, T0, T0.AddSeconds(11)));

        Assert.Equal(T0.AddSeconds(5), gap.From);
        Assert.Equal(T0.AddSeconds(9), gap.To);
        Assert.Equal("recording moved from node hub-2 to node hub-1 (the camera changed owner)", gap.Reason);
    }

    [Fact]
    public void A_gap_on_one_node_or_without_node_names_has_no_owner_reason_and_a_missing_file_keeps_its_own()
    {
        var sameNode = new[] { Segment(0, 2, "hub-1"), Segment(6, 8, "hub-1") };
        Assert.Null(Assert.Single(RecordingEndpoints.Gaps(sameNode, T0, T0.AddSeconds(8))).Reason);

        var before17 = new[] { Segment(0, 2, null), Segment(6, 8, "hub-1") };
        Assert.Null(Assert.Single(RecordingEndpoints.Gaps(before17, T0, T0.AddSeconds(8))).Reason);

        var missing = new[] { Segment(0, 2, "hub-2"), Segment(2, 4, "hub-2", SegmentState.Missing), Segment(4, 6, "hub-1") };
        Assert.Equal("footage file missing", Assert.Single(RecordingEndpoints.Gaps(missing, T0, T0.AddSeconds(6))).Reason);
    }
}
