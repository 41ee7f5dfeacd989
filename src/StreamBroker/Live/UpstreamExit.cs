using CameraHub.StreamBroker.Processes;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// Why a camera's upstream ffmpeg ended, in the words viewers, logs and health show: the cause first ("connection
/// refused", "stream ended by the camera"), then ffmpeg's own line for detail (credentials already blanked).
/// </summary>
public static class UpstreamExit
{
    /// <summary>What ffmpeg says for each cause it can name; the first match from the end of the tail wins.</summary>
    private static readonly (string Says, string Cause)[] Causes =
    [
        ("Connection refused", "connection refused"),
        ("Connection timed out", "connection timed out"),
        ("No route to host", "no route to host"),
        ("Network is unreachable", "network unreachable"),
        ("Name or service not known", "camera host name not found"),
        ("Failed to resolve hostname", "camera host name not found"),
        ("401 Unauthorized", "401 Unauthorized: the camera refused the user name or password"),
        ("403 Forbidden", "403 Forbidden: the camera refused access to the stream"),
        ("404 Not Found", "404 Not Found: the camera has no stream at this path"),
        ("503 Service Unavailable", "503 Service Unavailable: the camera cannot serve the stream now"),
        ("Connection reset by peer", "stream ended by the camera (connection reset)"),
        ("End of file", "stream ended by the camera"),
        ("Invalid data found when processing input", "the camera sent data ffmpeg cannot read"),
    ];

    /// <summary>
    /// Explains an exit from its code, the stderr <paramref name="tail"/> and whether video had arrived: an ffmpeg that
    /// streamed and then stopped with nothing but start-up warnings in its tail was ended by the camera.
    /// </summary>
    public static string Explain(int code, string tail, bool receivedMedia)
    {
        var lines = FfmpegDiagnostics.MeaningfulLines(tail);
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            foreach (var (says, cause) in Causes)
            {
                if (lines[i].Contains(says, StringComparison.OrdinalIgnoreCase))
                {
                    return $"{cause} ({lines[i]})";
                }
            }
        }

        if (lines.Count > 0)
        {
            return $"ffmpeg exited with code {code}: {lines[^1]}";
        }

        return receivedMedia || code == 0 ? "stream ended by the camera" : $"ffmpeg exited with code {code} without saying why";
    }
}
