using System.Buffers.Binary;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Sharing;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Sharing;

/// <summary>RFC 6184 packetisation and the SDP on ffmpeg's real fragmented MP4 (what the camera path carries).</summary>
[Trait("Category", "Integration")]
public sealed class H264PacketizerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("packetizer-").FullName;
    private InitSegment _init = null!;
    private List<Fragment> _fragments = null!;

    public async Task InitializeAsync()
    {
        // 2 s at 10 fps, a keyframe every 10 frames, 640x480 so that keyframes need FU-A; one fragment per frame.
        var file = Path.Combine(_dir, "live.mp4");
        var (code, log) = await Tool.RunAsync("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=10", "-t", "2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "main", "-g", "10", "-bf", "0", "-f", "mp4",
            "-movflags", "empty_moov+default_base_moof+frag_every_frame", file);
        Assert.True(code == 0, log);
        await using var stream = File.OpenRead(file);
        var items = new List<UpstreamMedia>();
        await foreach (var item in new FragmentedMp4Parser(stream).ReadAsync(CancellationToken.None))
        {
            items.Add(item);
        }

        _init = (InitSegment)items[0];
        _fragments = [.. items.Skip(1).Cast<Fragment>()];
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void The_avcC_gives_SPS_PPS_and_the_NAL_length_size_and_the_SDP_carries_them()
    {
        var config = AvcConfig.FromInit(_init)!;

        Assert.Equal(4, config.NalLengthSize);
        Assert.Equal(7, Assert.Single(config.Sps)[0] & 0x1F);
        Assert.Equal(8, Assert.Single(config.Pps)[0] & 0x1F);
        Assert.Equal(_init.Codec[5..], config.ProfileLevelId);
        var sdp = SdpBuilder.Build("TRF-T-01", "127.0.0.1", config, 42);
        Assert.Contains("m=video 0 RTP/AVP 96\r\n", sdp, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:96 H264/90000\r\n", sdp, StringComparison.Ordinal);
        Assert.Contains($"packetization-mode=1;profile-level-id={config.ProfileLevelId};sprop-parameter-sets={Convert.ToBase64String(config.Sps[0])},{Convert.ToBase64String(config.Pps[0])}\r\n", sdp, StringComparison.Ordinal);
        Assert.Contains("a=control:trackID=0\r\n", sdp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Packets_reassemble_into_the_same_NAL_units_with_marker_bits_and_90kHz_timestamps_and_decode()
    {
        var config = AvcConfig.FromInit(_init)!;
        var packetizer = new H264Packetizer(1400, ssrc: 0x1234, firstSequence: 65530, timestampBase: 1000);
        var annexB = new MemoryStream();
        var timestamps = new List<uint>();
        var fuPackets = 0;
        ushort? lastSequence = null;
        foreach (var fragment in _fragments)
        {
            var unit = Assert.Single(FragmentSamples.Read(fragment, config));
            var packets = packetizer.Packetize(unit, config);
            Assert.All(packets, p => Assert.True(p.Length <= 1412));
            Assert.Equal(fragment.Keyframe, unit.Keyframe);
            Assert.All(packets.SkipLast(1), p => Assert.Equal(0, p[1] & 0x80));
            Assert.Equal(0x80 | 96, packets[^1][1]);
            timestamps.Add(BinaryPrimitives.ReadUInt32BigEndian(packets[0].AsSpan(4)));
            var fu = new MemoryStream();
            foreach (var p in packets)
            {
                var sequence = BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(2));
                Assert.Equal(unchecked((ushort)((lastSequence ?? 65529) + 1)), sequence);
                lastSequence = sequence;
                Assert.Equal(0x1234u, BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(8)));
                var payload = p.AsSpan(12);
                if ((payload[0] & 0x1F) == 28)
                {
                    fuPackets++;
                    if ((payload[1] & 0x80) != 0)
                    {
                        fu.SetLength(0);
                        fu.WriteByte((byte)((payload[0] & 0xE0) | (payload[1] & 0x1F)));
                    }

                    fu.Write(payload[2..]);
                    if ((payload[1] & 0x40) != 0)
                    {
                        annexB.Write([0, 0, 0, 1]);
                        annexB.Write(fu.ToArray());
                    }
                }
                else
                {
                    annexB.Write([0, 0, 0, 1]);
                    annexB.Write(payload);
                }
            }
        }

        Assert.True(fuPackets > 0, "640x480 keyframes are larger than one packet: FU-A expected");
        Assert.Equal(1000u, timestamps[0]);
        Assert.All(timestamps.Zip(timestamps.Skip(1)), t => Assert.Equal(9000u, t.Second - t.First));

        // What a receiver reassembles is a decodable H.264 stream with every frame.
        var file = Path.Combine(_dir, "reassembled.h264");
        await File.WriteAllBytesAsync(file, annexB.ToArray());
        var (code, output) = await Tool.RunAsync("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", file);
        Assert.True(code == 0, output);
        Assert.Equal("h264,640,480,20", output.Trim());
    }
}
