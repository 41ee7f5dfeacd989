namespace CameraHub.Composition;

/// <summary>The host's own settings (configuration section <c>CameraHub</c>).</summary>
public sealed class HubOptions
{
    /// <summary>Root for the SQLite file, recordings, exports and keys.</summary>
    public string DataDirectory { get; set; } = "data";
    /// <summary>Seed the sample city, start its fake cameras and create the demo users.</summary>
    public bool Demo { get; set; }
    /// <summary>In demo mode, also run simulated cameras for a few sample-city entries (off in most tests).</summary>
    public bool DemoCameras { get; set; } = true;
    /// <summary>Where the sample city lives; found by walking up from the working directory when unset.</summary>
    public string? SampleCityDirectory { get; set; }
    /// <summary>The hub's RTSP server port for partner systems (0 = off).</summary>
    public int RtspPort { get; set; }
    /// <summary>The demo users' password; generated and printed at start-up when unset.</summary>
    public string? DemoPassword { get; set; }

    /// <summary>The data directory as an absolute path, created if missing.</summary>
    public string ResolvedDataDirectory()
    {
        var full = Path.GetFullPath(DataDirectory);
        Directory.CreateDirectory(full);
        return full;
    }

    /// <summary>The sample city folder: configured, or samples/goteborg found above the working directory or the binaries.</summary>
    public string? ResolvedSampleCityDirectory()
    {
        if (SampleCityDirectory is not null)
        {
            return Path.GetFullPath(SampleCityDirectory);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "goteborg");
                if (File.Exists(Path.Combine(candidate, "cameras.csv")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
