using System.Buffers.Binary;
using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>The H.264 decoder configuration from the init segment's avcC box (ISO 14496-15), and the picture size of its sample entry.</summary>
public sealed record AvcConfig(IReadOnlyList<byte[]> Sps, IReadOnlyList<byte[]> Pps, int NalLengthSize, uint Timescale, int Width = 0, int Height = 0)
{
    /// <summary>profile_idc, constraint flags and level_idc of the first SPS as six hex digits (SDP profile-level-id).</summary>
    public string ProfileLevelId => Sps.Count > 0 && Sps[0].Length >= 4 ? Convert.ToHexString(Sps[0], 1, 3) : "42E01E";

    /// <summary>Reads avcC from moov/trak/mdia/minf/stbl/stsd/avc1; null when the init holds no H.264 track.</summary>
    public static AvcConfig? FromInit(InitSegment init)
    {
        if (FindAvcC(init.Data) is not ({ Length: >= 7 } c, var entry))
        {
            return null;
        }

        // VisualSampleEntry: 6 reserved, data_reference_index, 16 bytes pre_defined/reserved, then width and height.
        var width = BinaryPrimitives.ReadUInt16BigEndian(entry.Span[24..]);
        var height = BinaryPrimitives.ReadUInt16BigEndian(entry.Span[26..]);
        var span = c.Span;
        var lengthSize = (span[4] & 0x03) + 1;
        var pos = 5;
        var spsCount = span[pos++] & 0x1F;
        var sps = ReadParameterSets(span, ref pos, spsCount);
        if (pos >= span.Length)
        {
            return new AvcConfig(sps, [], lengthSize, init.Timescale, width, height);
        }

        var ppsCount = span[pos++];
        var pps = ReadParameterSets(span, ref pos, ppsCount);
        return new AvcConfig(sps, pps, lengthSize, init.Timescale, width, height);
    }

    private static List<byte[]> ReadParameterSets(ReadOnlySpan<byte> span, ref int pos, int count)
    {
        var sets = new List<byte[]>();
        for (var i = 0; i < count && pos + 2 <= span.Length; i++)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(span[pos..]);
            pos += 2;
            if (pos + length > span.Length)
            {
                break;
            }

            sets.Add(span.Slice(pos, length).ToArray());
            pos += length;
        }

        return sets;
    }

    /// <summary>The avcC box and the avc1/avc3 sample entry (payload) holding it.</summary>
    private static (ReadOnlyMemory<byte> AvcC, ReadOnlyMemory<byte> Entry)? FindAvcC(byte[] init)
    {
        foreach (var (type, offset, length) in Mp4BoxReader.Children(init))
        {
            if (type != "moov")
            {
                continue;
            }

            foreach (var (t, o, l) in Mp4BoxReader.Children(init.AsMemory(offset, length)))
            {
                if (t != "trak")
                {
                    continue;
                }

                ReadOnlyMemory<byte>? box = init.AsMemory(offset + o, l);
                foreach (var name in new[] { "mdia", "minf", "stbl", "stsd" })
                {
                    box = box is null ? null : Child(box.Value, name);
                }

                if (box is not { Length: > 8 } stsd)
                {
                    continue;
                }

                var entries = stsd[8..];
                foreach (var (et, eo, el) in Mp4BoxReader.Children(entries))
                {
                    if ((et == "avc1" || et == "avc3") && el > 78 && Child(entries.Slice(eo + 78, el - 78), "avcC") is { } avcC)
                    {
                        return (avcC, entries.Slice(eo, el));
                    }
                }
            }
        }

        return null;
    }

    internal static ReadOnlyMemory<byte>? Child(ReadOnlyMemory<byte> payload, string type)
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
}

/// <summary>One picture: its presentation time in the track's timescale and its NAL units (no length prefixes).</summary>
public sealed record AccessUnit(ulong PresentationTime, bool Keyframe, IReadOnlyList<ReadOnlyMemory<byte>> Nals);

/// <summary>Splits a moof+mdat fragment into access units using trun's sample sizes, durations and offsets.</summary>
public static class FragmentSamples
{
    public static IReadOnlyList<AccessUnit> Read(Fragment fragment, AvcConfig config) => Read(fragment.Data, config);

    /// <summary>The access units of one moof+mdat pair (the bytes a viewer's queue carries).</summary>
    public static IReadOnlyList<AccessUnit> Read(byte[] data, AvcConfig config)
    {
        var moofSize = (int)BinaryPrimitives.ReadUInt32BigEndian(data);
        if (moofSize < 16 || moofSize + 8 > data.Length)
        {
            return [];
        }

        var traf = AvcConfig.Child(data.AsMemory(8, moofSize - 8), "traf");
        if (traf is null)
        {
            return [];
        }

        uint defaultDuration = 0, defaultSize = 0;
        ulong decodeTime = 0;
        var units = new List<AccessUnit>();
        foreach (var (type, offset, length) in Mp4BoxReader.Children(traf.Value))
        {
            var box = traf.Value.Span.Slice(offset, length);
            if (type == "tfhd" && length >= 8)
            {
                ReadTfhd(box, ref defaultDuration, ref defaultSize);
            }
            else if (type == "tfdt" && length >= 8)
            {
                decodeTime = box[0] == 1 && length >= 12 ? BinaryPrimitives.ReadUInt64BigEndian(box[4..]) : BinaryPrimitives.ReadUInt32BigEndian(box[4..]);
            }
            else if (type == "trun" && length >= 8)
            {
                ReadTrun(box, data, moofSize, defaultDuration, defaultSize, ref decodeTime, config, units);
            }
        }

        return units;
    }

    private static void ReadTfhd(ReadOnlySpan<byte> tfhd, ref uint defaultDuration, ref uint defaultSize)
    {
        var flags = BinaryPrimitives.ReadUInt32BigEndian(tfhd) & 0xFFFFFF;
        var pos = 8 + ((flags & 0x01) != 0 ? 8 : 0) + ((flags & 0x02) != 0 ? 4 : 0);
        if ((flags & 0x08) != 0 && pos + 4 <= tfhd.Length)
        {
            defaultDuration = BinaryPrimitives.ReadUInt32BigEndian(tfhd[pos..]);
            pos += 4;
        }

        if ((flags & 0x10) != 0 && pos + 4 <= tfhd.Length)
        {
            defaultSize = BinaryPrimitives.ReadUInt32BigEndian(tfhd[pos..]);
        }
    }

    private static void ReadTrun(ReadOnlySpan<byte> trun, byte[] data, int moofSize, uint defaultDuration, uint defaultSize,
        ref ulong decodeTime, AvcConfig config, List<AccessUnit> units)
    {
        var flags = BinaryPrimitives.ReadUInt32BigEndian(trun) & 0xFFFFFF;
        var count = BinaryPrimitives.ReadUInt32BigEndian(trun[4..]);
        var pos = 8;
        // default-base-is-moof: offsets count from the moof's first byte; without an offset the data follows the mdat header.
        var dataPos = moofSize + 8;
        if ((flags & 0x01) != 0)
        {
            dataPos = BinaryPrimitives.ReadInt32BigEndian(trun[pos..]);
            pos += 4;
        }

        if ((flags & 0x04) != 0)
        {
            pos += 4;
        }

        for (var i = 0; i < count; i++)
        {
            var duration = defaultDuration;
            var size = defaultSize;
            long ctsOffset = 0;
            if ((flags & 0x100) != 0)
            {
                duration = BinaryPrimitives.ReadUInt32BigEndian(trun[pos..]);
                pos += 4;
            }

            if ((flags & 0x200) != 0)
            {
                size = BinaryPrimitives.ReadUInt32BigEndian(trun[pos..]);
                pos += 4;
            }

            if ((flags & 0x400) != 0)
            {
                pos += 4;
            }

            if ((flags & 0x800) != 0)
            {
                ctsOffset = BinaryPrimitives.ReadInt32BigEndian(trun[pos..]);
                pos += 4;
            }

            if (dataPos < 0 || dataPos + size > data.Length)
            {
                return;
            }

            var nals = SplitNals(data.AsMemory(dataPos, (int)size), config.NalLengthSize);
            units.Add(new AccessUnit((ulong)Math.Max(0, (long)decodeTime + ctsOffset), nals.Any(n => (n.Span[0] & 0x1F) == 5), nals));
            dataPos += (int)size;
            decodeTime += duration;
        }
    }

    /// <summary>Length-prefixed NAL units (1, 2 or 4 byte lengths) to a list; stops at a length that overruns.</summary>
    public static List<ReadOnlyMemory<byte>> SplitNals(ReadOnlyMemory<byte> sample, int lengthSize)
    {
        var nals = new List<ReadOnlyMemory<byte>>();
        var span = sample.Span;
        var pos = 0;
        while (pos + lengthSize <= span.Length)
        {
            var length = lengthSize switch
            {
                1 => span[pos],
                2 => BinaryPrimitives.ReadUInt16BigEndian(span[pos..]),
                _ => (int)BinaryPrimitives.ReadUInt32BigEndian(span[pos..]),
            };
            pos += lengthSize;
            if (length <= 0 || pos + length > span.Length)
            {
                break;
            }

            nals.Add(sample.Slice(pos, length));
            pos += length;
        }

        return nals;
    }
}
