using System.Globalization;
using System.Text.Json;
using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging;

namespace CameraHub.Masking.Files;

/// <summary>What ffprobe says about a video file's first video stream.</summary>
public sealed record VideoInfo(int Width, int Height, int FrameRateNumerator, int FrameRateDenominator, int Frames, double DurationSeconds, bool HasAudio)
{
    public double FramesPerSecond => (double)FrameRateNumerator / FrameRateDenominator;

    /// <summary>The frame rate as ffmpeg writes it, e.g. "25/1".</summary>
    public string FrameRate => $"{FrameRateNumerator}/{FrameRateDenominator}";
}

/// <summary>Runs ffprobe (through <see cref="FfmpegProcess"/>) and reads size, frame rate, exact frame count and duration.</summary>
public static class VideoProbe
{
    /// <summary>Probes <paramref name="path"/>; counts packets so the frame count is exact even where the container has none.</summary>
    public static async Task<VideoInfo> ProbeAsync(string path, ILogger logger, CancellationToken ct, string ffprobe = "ffprobe")
    {
        string[] args =
        [
            "-v", "error", "-count_packets",
            "-show_entries", "stream=codec_type,width,height,r_frame_rate,avg_frame_rate,nb_read_packets:format=duration",
            "-of", "json", path,
        ];
        await using var process = FfmpegProcess.Start(ffprobe, args, logger, $"ffprobe {Path.GetFileName(path)}");
        using var reader = new StreamReader(process.StandardOutput);
        var json = await reader.ReadToEndAsync(ct);
        var code = await process.Exited.WaitAsync(ct);
        if (code != 0)
        {
            throw new InvalidDataException($"ffprobe could not read {path} (exit {code}): {process.Tail}");
        }

        using var doc = JsonDocument.Parse(json);
        var streams = doc.RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.FirstOrDefault(s => s.GetProperty("codec_type").GetString() == "video");
        if (video.ValueKind == JsonValueKind.Undefined)
        {
            throw new InvalidDataException($"{path} has no video stream");
        }

        var (num, den) = Rate(video, "r_frame_rate");
        if (num <= 0 || den <= 0)
        {
            (num, den) = Rate(video, "avg_frame_rate");
        }

        var frames = video.TryGetProperty("nb_read_packets", out var n) ? int.Parse(n.GetString()!, CultureInfo.InvariantCulture) : 0;
        var duration = doc.RootElement.TryGetProperty("format", out var format) && format.TryGetProperty("duration", out var d)
            ? double.Parse(d.GetString()!, CultureInfo.InvariantCulture)
            : 0;
        return new VideoInfo(
            video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32(), num, den, frames, duration,
            streams.Any(s => s.GetProperty("codec_type").GetString() == "audio"));
    }

    private static (int Num, int Den) Rate(JsonElement stream, string name)
    {
        if (!stream.TryGetProperty(name, out var value) || value.GetString() is not { } text)
        {
            return (0, 0);
        }

        var parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var num)
            && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var den)
            ? (num, den)
            : (0, 0);
    }
}
