using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>
/// RFC 6184 packetisation (packetization-mode=1): a NAL unit that fits goes out as a single NAL unit packet, a larger
/// one as FU-A fragments; the marker bit is set on the last packet of an access unit. SPS and PPS are repeated in-band
/// before every keyframe that does not carry them, so a client joining or losing packets can decode at the next IDR.
/// </summary>
public sealed class H264Packetizer
{
    public const int PayloadType = 96;
    public const int ClockRate = 90000;
    private const int RtpHeaderSize = 12;
    private readonly int _maxPayload;
    private ushort _sequence;

    public H264Packetizer(int maxPayload = 1400, uint? ssrc = null, ushort? firstSequence = null, uint? timestampBase = null)
    {
        _maxPayload = maxPayload;
        Ssrc = ssrc ?? BinaryPrimitives.ReadUInt32BigEndian(RandomNumberGenerator.GetBytes(4));
        _sequence = firstSequence ?? (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
        TimestampBase = timestampBase ?? (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    public uint Ssrc { get; }

    /// <summary>The RTP timestamp of media time zero (random, RFC 3550 5.1).</summary>
    public uint TimestampBase { get; }

    /// <summary>The sequence number of the next packet.</summary>
    public ushort NextSequence => _sequence;

    /// <summary>RTP packets and payload octets sent so far (for RTCP sender reports).</summary>
    public uint PacketCount { get; private set; }

    public uint OctetCount { get; private set; }

    /// <summary>The RTP timestamp of the last access unit packetised.</summary>
    public uint LastTimestamp { get; private set; }

    /// <summary>
    /// An RTCP sender report (RFC 3550 6.4.1) pairing <paramref name="now"/> with the last access unit's RTP timestamp,
    /// so receivers can map RTP time to wall-clock time.
    /// </summary>
    public byte[] SenderReport(DateTimeOffset now)
    {
        var report = new byte[28];
        report[0] = 0x80;
        report[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(report.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(4), Ssrc);
        var sinceNtpEpoch = now - new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var seconds = (ulong)sinceNtpEpoch.Ticks / TimeSpan.TicksPerSecond;
        var fraction = ((ulong)sinceNtpEpoch.Ticks % TimeSpan.TicksPerSecond << 32) / TimeSpan.TicksPerSecond;
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(8), unchecked((uint)seconds));
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(12), (uint)fraction);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(16), LastTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(20), PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(24), OctetCount);
        return report;
    }

    /// <summary>Media time (in <paramref name="timescale"/> units) to a 90 kHz RTP timestamp.</summary>
    public uint RtpTimestamp(ulong time, uint timescale) =>
        unchecked(TimestampBase + (uint)(timescale == ClockRate ? time : (ulong)((UInt128)time * ClockRate / timescale)));

    /// <summary>The RTP packets (header included) of one access unit.</summary>
    public List<byte[]> Packetize(AccessUnit unit, AvcConfig config)
    {
        var timestamp = RtpTimestamp(unit.PresentationTime, config.Timescale);
        LastTimestamp = timestamp;
        var nals = new List<ReadOnlyMemory<byte>>(unit.Nals.Count + 2);
        if (unit.Keyframe && !unit.Nals.Any(n => (n.Span[0] & 0x1F) == 7))
        {
            nals.AddRange(config.Sps.Select(s => (ReadOnlyMemory<byte>)s));
            nals.AddRange(config.Pps.Select(p => (ReadOnlyMemory<byte>)p));
        }

        // Access unit delimiters carry nothing an RTP receiver needs (RFC 6184 allows dropping them).
        nals.AddRange(unit.Nals.Where(n => (n.Span[0] & 0x1F) != 9));
        var packets = new List<byte[]>();
        for (var i = 0; i < nals.Count; i++)
        {
            AddNal(packets, nals[i].Span, timestamp, last: i == nals.Count - 1);
        }

        return packets;
    }

    private void AddNal(List<byte[]> packets, ReadOnlySpan<byte> nal, uint timestamp, bool last)
    {
        if (nal.Length <= _maxPayload)
        {
            var packet = Header(nal.Length, timestamp, last);
            nal.CopyTo(packet.AsSpan(RtpHeaderSize));
            packets.Add(packet);
            return;
        }

        // FU-A: indicator keeps F and NRI with type 28; header has S/E and the original type; the NAL header byte is not repeated.
        var indicator = (byte)((nal[0] & 0xE0) | 28);
        var type = (byte)(nal[0] & 0x1F);
        var rest = nal[1..];
        var chunk = _maxPayload - 2;
        for (var offset = 0; offset < rest.Length; offset += chunk)
        {
            var size = Math.Min(chunk, rest.Length - offset);
            var start = offset == 0;
            var end = offset + size == rest.Length;
            var packet = Header(size + 2, timestamp, last && end);
            packet[RtpHeaderSize] = indicator;
            packet[RtpHeaderSize + 1] = (byte)((start ? 0x80 : 0) | (end ? 0x40 : 0) | type);
            rest.Slice(offset, size).CopyTo(packet.AsSpan(RtpHeaderSize + 2));
            packets.Add(packet);
        }
    }

    private byte[] Header(int payload, uint timestamp, bool marker)
    {
        var packet = new byte[RtpHeaderSize + payload];
        PacketCount++;
        OctetCount += (uint)payload;
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), Ssrc);
        return packet;
    }
}
