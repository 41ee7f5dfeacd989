using System.Text.RegularExpressions;

namespace CameraHub.StreamBroker.Processes;

/// <summary>
/// Reads an ffmpeg stderr tail for the line that explains an exit. ffmpeg prints its start-up warnings (e.g. "not
/// enough frames to estimate rate") and then often nothing when a stream ends, so the last line alone is usually noise.
/// </summary>
public static partial class FfmpegDiagnostics
{
    /// <summary>Warnings ffmpeg prints while probing or while running that never explain why it ended.</summary>
    private static readonly string[] Noise =
    [
        "not enough frames to estimate rate",
        "consider increasing probesize",
        "Could not find codec parameters",
        "max delay reached",
        "RTP: missed",
        "Last message repeated",
        "non monotonically increasing dts",
        "Timestamps are unset",
        "Exiting normally, received signal",
        "decode_slice_header error",
        "no frame!",
        "jitter buffer",
        "Estimating duration from bitrate",
    ];

    /// <summary>The tail's lines with the "[rtsp @ 0x55d…]" context prefix removed and start-up noise left out.</summary>
    public static IReadOnlyList<string> MeaningfulLines(string tail) =>
        [.. tail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => ContextPrefix().Replace(l, string.Empty).Trim())
            .Where(l => l.Length > 0 && !Noise.Any(n => l.Contains(n, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>The last line of the tail that is not start-up noise, or null.</summary>
    public static string? LastMeaningfulLine(string tail) => MeaningfulLines(tail) is { Count: > 0 } lines ? lines[^1] : null;

    [GeneratedRegex(@"^(\[[^\]]* @ 0x[0-9a-fA-F]+\]\s*)+")]
    private static partial Regex ContextPrefix();
}
