using System.Buffers.Binary;
using CameraHub.StreamBroker.Sharing;

namespace CameraHub.StreamBroker.Tests.Sharing;

public sealed class RtcpSenderReportTests
{
    [Fact]
    public void A_large_NAL_becomes_FU_A_packets_and_the_sender_report_counts_them_with_NTP_time()
    {
        var config = new AvcConfig([[0x67, 0x42, 0xE0, 0x1E]], [[0x68, 0xCE]], 4, 90000);
        var idr = new byte[3000];
        idr[0] = 0x65;
        var packetizer = new H264Packetizer(1400, ssrc: 7, firstSequence: 1, timestampBase: 0);

        var packets = packetizer.Packetize(new AccessUnit(180000, true, [idr]), config);

        // SPS, PPS (in-band before the IDR), then the IDR in three FU-A fragments with S and E bits.
        Assert.Equal(5, packets.Count);
        Assert.Equal([7, 8, 28, 28, 28], packets.Select(p => p[12] & 0x1F));
        Assert.Equal([0x85, 0x05, 0x45], packets.Skip(2).Select(p => (int)p[13]));
        Assert.Equal(3000 - 1 + 3 * 2, packets.Skip(2).Sum(p => p.Length - 12));
        var report = packetizer.SenderReport(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(200, report[1]);
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(4)));
        Assert.Equal(4004510400u, BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(8)));
        Assert.Equal(180000u, BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(16)));
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(20)));
        Assert.Equal((uint)packets.Sum(p => p.Length - 12), BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(24)));
    }
}
