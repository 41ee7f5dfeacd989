using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Sharing;

namespace CameraHub.StreamBroker.Tests.Sharing;

/// <summary>The masked feed's command line: fMP4 in on stdin, the mask as alpha over a block-pixelated copy, H.264 fMP4 out.</summary>
public sealed class MaskedFeedArgumentsTests
{
    private static string After(IReadOnlyList<string> args, string option) => args[args.ToList().IndexOf(option) + 1];

    [Fact]
    public void Pixelates_on_a_grid_of_whole_blocks_cropped_to_the_picture_and_encodes_with_a_keyframe_every_second()
    {
        var args = MaskedFeedArguments.For("TRF-1", "/tmp/mask.png", 1920, 1080, 48);

        Assert.Equal("pipe:0", After(args, "-i"));
        Assert.Contains("/tmp/mask.png", args);
        var graph = After(args, "-filter_complex");
        Assert.Contains("scale=40:23:flags=area,scale=1920:1104:flags=neighbor,crop=1920:1080:0:0", graph, StringComparison.Ordinal);
        Assert.Contains("alphamerge", graph, StringComparison.Ordinal);
        Assert.Contains("overlay=format=yuv420:eof_action=repeat", graph, StringComparison.Ordinal);
        Assert.Equal("libx264", After(args, "-c:v"));
        Assert.Equal("ultrafast", After(args, "-preset"));
        Assert.Equal("zerolatency", After(args, "-tune"));
        Assert.Equal("expr:gte(t,n_forced*1)", After(args, "-force_key_frames"));
        Assert.Contains("frag_every_frame", After(args, "-movflags"), StringComparison.Ordinal);
        Assert.Equal("pipe:1", args[^1]);
        Assert.Contains($"comment={MaskedFeedArguments.Marker("TRF-1")}", args);
        Assert.DoesNotContain("camera=TRF-1", MaskedFeedArguments.Marker("TRF-1"), StringComparison.Ordinal); // never counted as an upstream
    }
}
