using System.Buffers.Binary;
using System.Text;

namespace CameraHub.StreamBroker.Live;

/// <summary>One ISO BMFF box, header included, as read from the upstream.</summary>
public readonly record struct Mp4Box(string Type, byte[] Data)
{
    /// <summary>Size of the box header in <see cref="Data"/> (8, or 16 with a 64-bit size).</summary>
    public int HeaderSize => BinaryPrimitives.ReadUInt32BigEndian(Data) == 1 ? 16 : 8;

    public ReadOnlySpan<byte> Payload => Data.AsSpan(HeaderSize);
}

/// <summary>Reads whole top-level MP4 boxes from a stream (ffmpeg's stdout); refuses sizes that cannot be real.</summary>
public sealed class Mp4BoxReader(Stream stream, int maxBoxSize = 64 * 1024 * 1024)
{
    private readonly byte[] _header = new byte[16];

    /// <summary>The next box, or null at a clean end of stream; throws <see cref="InvalidDataException"/> on garbage.</summary>
    public async ValueTask<Mp4Box?> ReadAsync(CancellationToken ct)
    {
        var got = await stream.ReadAtLeastAsync(_header.AsMemory(0, 8), 8, throwOnEndOfStream: false, ct);
        if (got == 0)
        {
            return null;
        }

        if (got < 8)
        {
            throw new InvalidDataException("stream ended inside a box header");
        }

        long size = BinaryPrimitives.ReadUInt32BigEndian(_header);
        var headerSize = 8;
        if (size == 1)
        {
            await stream.ReadExactlyAsync(_header.AsMemory(8, 8), ct);
            size = BinaryPrimitives.ReadInt64BigEndian(_header.AsSpan(8));
            headerSize = 16;
        }

        var type = Encoding.ASCII.GetString(_header, 4, 4);
        // size 0 ("to end of file") never occurs in a live fragmented stream; treat it like any impossible size.
        if (size < headerSize || size > maxBoxSize || !IsPrintable(type))
        {
            throw new InvalidDataException($"not an MP4 box: type '{Printable(type)}', size {size}");
        }

        var data = new byte[size];
        _header.AsSpan(0, headerSize).CopyTo(data);
        await stream.ReadExactlyAsync(data.AsMemory(headerSize), ct);
        return new Mp4Box(type, data);
    }

    /// <summary>Enumerates the child boxes inside <paramref name="payload"/> (type, payload of each).</summary>
    public static IEnumerable<(string Type, int Offset, int Length)> Children(ReadOnlyMemory<byte> payload)
    {
        var offset = 0;
        while (offset + 8 <= payload.Length)
        {
            var span = payload.Span[offset..];
            long size = BinaryPrimitives.ReadUInt32BigEndian(span);
            var header = 8;
            if (size == 1 && span.Length >= 16)
            {
                size = BinaryPrimitives.ReadInt64BigEndian(span[8..]);
                header = 16;
            }
            else if (size == 0)
            {
                size = span.Length;
            }

            if (size < header || size > span.Length)
            {
                yield break;
            }

            var type = Encoding.ASCII.GetString(span.Slice(4, 4));
            yield return (type, offset + header, (int)size - header);
            offset += (int)size;
        }
    }

    private static bool IsPrintable(string type) => type.All(c => c is >= ' ' and <= '~');

    private static string Printable(string type) => new([.. type.Select(c => IsPrintable(c.ToString()) ? c : '?')]);
}
