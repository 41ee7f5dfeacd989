using System.Buffers.Binary;

namespace CameraHub.StreamBroker.Live;

/// <summary>What the upstream parser yields: an init segment, then fragments.</summary>
public abstract record UpstreamMedia;

/// <summary>The init segment (ftyp+moov) that a player needs before any fragment.</summary>
public sealed record InitSegment(byte[] Data, uint Timescale, string Codec) : UpstreamMedia;

/// <summary>One moof+mdat pair; <see cref="Keyframe"/> when its first sample is a sync sample (a player can start here).</summary>
public sealed record Fragment(byte[] Data, bool Keyframe, ulong DecodeTime, ulong Duration) : UpstreamMedia;

/// <summary>
/// Turns ffmpeg's fragmented MP4 output into an init segment and fragments. Keyframes are found from the sample
/// flags of the first sample: trun first-sample-flags, else the per-sample flags, else tfhd's default, else trex's.
/// </summary>
public sealed class FragmentedMp4Parser(Stream stream)
{
    private const uint NonSyncSample = 0x0001_0000;
    private readonly Mp4BoxReader _reader = new(stream);
    private byte[]? _ftyp;
    private byte[]? _moof;
    private uint _trexFlags;
    private uint _trexDuration;
    private bool _hasTrex;

    /// <summary>Yields an <see cref="InitSegment"/> first, then <see cref="Fragment"/>s, until the stream ends.</summary>
    public async IAsyncEnumerable<UpstreamMedia> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        while (await _reader.ReadAsync(ct) is { } box)
        {
            switch (box.Type)
            {
                case "ftyp":
                    _ftyp = box.Data;
                    break;
                case "moov":
                    yield return ReadInit(box);
                    break;
                case "moof":
                    _moof = box.Data;
                    break;
                case "mdat" when _moof is not null:
                    var moof = _moof;
                    _moof = null;
                    var (keyframe, decodeTime, duration) = ReadMoof(moof);
                    var data = new byte[moof.Length + box.Data.Length];
                    moof.CopyTo(data, 0);
                    box.Data.CopyTo(data, moof.Length);
                    yield return new Fragment(data, keyframe, decodeTime, duration);
                    break;
                default:
                    // styp, sidx, mfra, free: nothing a live viewer needs.
                    break;
            }
        }
    }

    private InitSegment ReadInit(Mp4Box moov)
    {
        var ftyp = _ftyp ?? [];
        var data = new byte[ftyp.Length + moov.Data.Length];
        ftyp.CopyTo(data, 0);
        moov.Data.CopyTo(data, ftyp.Length);

        uint timescale = 90000;
        var codec = "avc1.42E01E";
        ReadOnlyMemory<byte> payload = moov.Data.AsMemory(moov.HeaderSize);
        foreach (var (type, offset, length) in Mp4BoxReader.Children(payload))
        {
            var child = payload.Slice(offset, length);
            if (type == "mvex")
            {
                foreach (var (t, o, l) in Mp4BoxReader.Children(child))
                {
                    if (t == "trex" && l >= 24)
                    {
                        var trex = child.Span.Slice(o, l);
                        _trexDuration = BinaryPrimitives.ReadUInt32BigEndian(trex[12..]);
                        _trexFlags = BinaryPrimitives.ReadUInt32BigEndian(trex[20..]);
                        _hasTrex = true;
                    }
                }
            }
            else if (type == "trak")
            {
                timescale = FindTimescale(child) ?? timescale;
                codec = FindCodec(child) ?? codec;
            }
        }

        return new InitSegment(data, timescale, codec);
    }

    private static uint? FindTimescale(ReadOnlyMemory<byte> trak)
    {
        var mdia = Find(trak, "mdia");
        var mdhd = mdia is null ? null : Find(mdia.Value, "mdhd");
        if (mdhd is not { Length: >= 24 } m)
        {
            return null;
        }

        var span = m.Span;
        return span[0] == 1 ? BinaryPrimitives.ReadUInt32BigEndian(span[20..]) : BinaryPrimitives.ReadUInt32BigEndian(span[12..]);
    }

    /// <summary>The RFC 6381 codec string (avc1.PPCCLL) from the avcC box, for MediaSource.isTypeSupported.</summary>
    private static string? FindCodec(ReadOnlyMemory<byte> trak)
    {
        ReadOnlyMemory<byte>? box = trak;
        foreach (var name in new[] { "mdia", "minf", "stbl", "stsd" })
        {
            box = box is null ? null : Find(box.Value, name);
        }

        // stsd: version/flags (4) + entry count (4), then sample entries; avc1 entry has 78 bytes before its children.
        if (box is not { Length: > 16 } stsd)
        {
            return null;
        }

        var entries = stsd[8..];
        foreach (var (type, offset, length) in Mp4BoxReader.Children(entries))
        {
            if ((type == "avc1" || type == "avc3") && length > 78)
            {
                var avcC = Find(entries.Slice(offset + 78, length - 78), "avcC");
                if (avcC is { Length: >= 4 } c)
                {
                    return $"{type}.{c.Span[1]:X2}{c.Span[2]:X2}{c.Span[3]:X2}";
                }
            }
        }

        return null;
    }

    private static ReadOnlyMemory<byte>? Find(ReadOnlyMemory<byte> payload, string type)
    {
        foreach (var (t, offset, length) in Mp4BoxReader.Children(payload))
        {
            if (t == type)
            {
                return payload.Slice(offset, length);
            }
        }

        return null;
    }

    private (bool Keyframe, ulong DecodeTime, ulong Duration) ReadMoof(byte[] moof)
    {
        ReadOnlyMemory<byte> payload = moof.AsMemory(8);
        var traf = Find(payload, "traf");
        if (traf is null)
        {
            return (false, 0, 0);
        }

        uint? defaultFlags = _hasTrex ? _trexFlags : null;
        uint defaultDuration = _trexDuration;
        ulong decodeTime = 0;
        uint? firstFlags = null;
        ulong duration = 0;
        foreach (var (type, offset, length) in Mp4BoxReader.Children(traf.Value))
        {
            var span = traf.Value.Span.Slice(offset, length);
            switch (type)
            {
                case "tfhd" when length >= 8:
                    ReadTfhd(span, ref defaultFlags, ref defaultDuration);
                    break;
                case "tfdt" when length >= 8:
                    decodeTime = span[0] == 1 && length >= 12 ? BinaryPrimitives.ReadUInt64BigEndian(span[4..]) : BinaryPrimitives.ReadUInt32BigEndian(span[4..]);
                    break;
                case "trun" when length >= 8:
                    var (flags, runDuration) = ReadTrun(span, defaultDuration);
                    firstFlags ??= flags;
                    duration += runDuration;
                    break;
                default:
                    break;
            }
        }

        var sampleFlags = firstFlags ?? defaultFlags;
        // Without any flags the sample is a sync sample by the spec's default.
        var keyframe = sampleFlags is null || (sampleFlags.Value & NonSyncSample) == 0;
        return (keyframe, decodeTime, duration);
    }

    private static void ReadTfhd(ReadOnlySpan<byte> tfhd, ref uint? defaultFlags, ref uint defaultDuration)
    {
        var flags = BinaryPrimitives.ReadUInt32BigEndian(tfhd) & 0xFFFFFF;
        var pos = 8;
        if ((flags & 0x01) != 0)
        {
            pos += 8;
        }

        if ((flags & 0x02) != 0)
        {
            pos += 4;
        }

        if ((flags & 0x08) != 0 && pos + 4 <= tfhd.Length)
        {
            defaultDuration = BinaryPrimitives.ReadUInt32BigEndian(tfhd[pos..]);
            pos += 4;
        }

        if ((flags & 0x10) != 0)
        {
            pos += 4;
        }

        if ((flags & 0x20) != 0 && pos + 4 <= tfhd.Length)
        {
            defaultFlags = BinaryPrimitives.ReadUInt32BigEndian(tfhd[pos..]);
        }
    }

    /// <summary>The first sample's flags (null when the run does not say) and the run's total duration.</summary>
    private static (uint? FirstFlags, ulong Duration) ReadTrun(ReadOnlySpan<byte> trun, uint defaultDuration)
    {
        var flags = BinaryPrimitives.ReadUInt32BigEndian(trun) & 0xFFFFFF;
        var count = BinaryPrimitives.ReadUInt32BigEndian(trun[4..]);
        var pos = 8;
        if ((flags & 0x01) != 0)
        {
            pos += 4;
        }

        uint? first = null;
        if ((flags & 0x04) != 0 && pos + 4 <= trun.Length)
        {
            first = BinaryPrimitives.ReadUInt32BigEndian(trun[pos..]);
            pos += 4;
        }

        var perSample = 0;
        foreach (var bit in new uint[] { 0x100, 0x200, 0x400, 0x800 })
        {
            perSample += (flags & bit) != 0 ? 4 : 0;
        }

        ulong duration = 0;
        for (var i = 0; i < count && pos + perSample <= trun.Length; i++)
        {
            var p = pos;
            var sampleDuration = defaultDuration;
            if ((flags & 0x100) != 0)
            {
                sampleDuration = BinaryPrimitives.ReadUInt32BigEndian(trun[p..]);
                p += 4;
            }

            if ((flags & 0x200) != 0)
            {
                p += 4;
            }

            if (i == 0 && first is null && (flags & 0x400) != 0)
            {
                first = BinaryPrimitives.ReadUInt32BigEndian(trun[p..]);
            }

            duration += sampleDuration;
            pos += perSample;
        }

        if (perSample == 0)
        {
            duration = (ulong)defaultDuration * count;
        }

        return (first, duration);
    }
}
