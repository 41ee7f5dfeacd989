using CameraHub.StreamBroker.Live;
using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>The box parser on ffmpeg's real fragmented output, and on garbage.</summary>
public sealed class FragmentedMp4ParserTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public async Task Parses_ffmpeg_fragmented_output_into_init_and_fragments_with_keyframes_at_each_GOP()
    {
        // 3 s at 10 fps with a keyframe every 10 frames, one fragment per frame: what the live upstream produces.
        var file = Path.Combine(Path.GetTempPath(), $"frag-{Guid.NewGuid():N}.mp4");
        var (code, log) = await Tool.RunAsync("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "3",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "baseline", "-g", "10", "-bf", "0", "-f", "mp4",
            "-movflags", "empty_moov+default_base_moof+frag_every_frame", file);
        Assert.True(code == 0, log);
        try
        {
            await using var stream = File.OpenRead(file);
            var items = new List<UpstreamMedia>();
            await foreach (var item in new FragmentedMp4Parser(stream).ReadAsync(CancellationToken.None))
            {
                items.Add(item);
            }

            var init = Assert.IsType<InitSegment>(items[0]);
            Assert.StartsWith("avc1.42", init.Codec, StringComparison.Ordinal);
            var fragments = items.Skip(1).Cast<Fragment>().ToList();
            Assert.Equal(30, fragments.Count);
            Assert.Equal([0, 10, 20], fragments.Select((f, i) => (f, i)).Where(x => x.f.Keyframe).Select(x => x.i));
            Assert.All(fragments, f => Assert.Equal(0.1, (double)f.Duration / init.Timescale, 3));
            Assert.True(fragments[5].DecodeTime > fragments[4].DecodeTime);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Garbage_is_refused_with_a_clear_error_instead_of_allocating_a_huge_box()
    {
        var garbage = new MemoryStream("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>"u8.ToArray());
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in new FragmentedMp4Parser(garbage).ReadAsync(CancellationToken.None))
            {
            }
        });
        Assert.Contains("not an MP4 box", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_inside_a_box_is_reported_not_hung_on()
    {
        var cut = new MemoryStream([0, 0, 0, 100, (byte)'m', (byte)'o', (byte)'o', (byte)'f', 1, 2, 3]);
        await Assert.ThrowsAnyAsync<EndOfStreamException>(async () => await new Mp4BoxReader(cut).ReadAsync(CancellationToken.None));
    }
}
