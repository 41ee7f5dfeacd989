using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Tests.Live;
using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Recording;

/// <summary>Real fragmented MP4 segments made by ffmpeg from its test pattern, placed as the recorder would.</summary>
public static class SampleSegments
{
    /// <summary>Writes a <paramref name="seconds"/>-long fMP4 (keyframe every second) to <paramref name="path"/>.</summary>
    public static async Task CreateAsync(string path, int seconds)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var (code, output) = await Tool.RunAsync("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=size=160x120:rate=10:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", path);
        Assert.True(code == 0, output);
    }

    /// <summary>The full path of camera <paramref name="cameraId"/>'s segment starting at <paramref name="start"/>.</summary>
    public static string PathFor(string root, string cameraId, DateTimeOffset start) => Path.Combine(root, SegmentFiles.RelativePath(cameraId, start));
}
