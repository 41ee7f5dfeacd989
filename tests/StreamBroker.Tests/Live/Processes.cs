using System.Diagnostics;
using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>Counts and finds OS processes by a marker in their command line (each camera's upstream carries its id).</summary>
public static class Processes
{
    public static IReadOnlyList<int> WithMarker(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.StartsWith("ffmpeg", StringComparison.Ordinal) || cmdline.Contains("/ffmpeg ", StringComparison.Ordinal))
                {
                    if (cmdline.Contains(marker, StringComparison.Ordinal))
                    {
                        found.Add(pid);
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>Waits (polling /proc, which has no change notification) until <paramref name="condition"/> holds.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition();
    }

    /// <summary>ffprobe as judge: the file or URL must hold an H.264 video stream; returns ffprobe's stream lines.</summary>
    public static async Task<string> AssertH264Async(string fileOrUrl)
    {
        var (code, probe) = await Tool.RunAsync("ffprobe", "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height", "-of", "default=nw=1", fileOrUrl);
        Assert.True(code == 0, probe);
        Assert.Contains("codec_name=h264", probe, StringComparison.Ordinal);
        return probe;
    }
}
