using System.Globalization;
using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Recording;

/// <summary>The on-disk layout: &lt;root&gt;/&lt;camera&gt;/&lt;yyyy&gt;/&lt;MM&gt;/&lt;dd&gt;/&lt;startTicks&gt;.mp4 (UTC dates).</summary>
public static class SegmentFiles
{
    public const string Extension = ".mp4";
    public const string PartialExtension = ".mp4.partial";

    /// <summary>The relative path ('/' separated) of a camera's segment starting at <paramref name="start"/>.</summary>
    public static string RelativePath(string cameraId, DateTimeOffset start)
    {
        var utc = start.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture,
            $"{SafeName(cameraId)}/{utc:yyyy}/{utc:MM}/{utc:dd}/{utc.Ticks}{Extension}");
    }

    /// <summary>Camera ids become directory names: anything but letters, digits, '-' and '_' is replaced.</summary>
    public static string SafeName(string cameraId) =>
        string.Concat(cameraId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));

    /// <summary>The start time encoded in a segment's file name, if it is one.</summary>
    public static bool TryParseStart(string fileName, out DateTimeOffset start)
    {
        var stem = fileName.EndsWith(PartialExtension, StringComparison.Ordinal) ? fileName[..^PartialExtension.Length]
            : fileName.EndsWith(Extension, StringComparison.Ordinal) ? fileName[..^Extension.Length] : null;
        if (stem is not null && long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks > 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks)
        {
            start = new DateTimeOffset(ticks, TimeSpan.Zero);
            return true;
        }

        start = default;
        return false;
    }

    /// <summary>What a segment file holds: its init, its whole fragments, and where the first fragment begins.</summary>
    public sealed record Contents(InitSegment Init, IReadOnlyList<Fragment> Fragments, long InitLength)
    {
        public TimeSpan Duration =>
            TimeSpan.FromSeconds(Fragments.Aggregate(0UL, (sum, f) => sum + f.Duration) / (double)Init.Timescale);
    }

    /// <summary>
    /// Reads a segment (or a crashed writer's .partial) up to its last whole fragment; null when it has no init or no
    /// fragment. A truncated tail is what a crash mid-write leaves, so it ends the read instead of failing it.
    /// </summary>
    public static async Task<Contents?> ReadAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: true);
        InitSegment? init = null;
        var fragments = new List<Fragment>();
        try
        {
            await foreach (var media in new FragmentedMp4Parser(file).ReadAsync(ct))
            {
                switch (media)
                {
                    case InitSegment i when init is null:
                        init = i;
                        break;
                    case Fragment f when init is not null:
                        fragments.Add(f);
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            // the rest is a half-written box
        }

        return init is null || fragments.Count == 0 ? null : new Contents(init, fragments, init.Data.Length);
    }
}
