using System.Diagnostics;

namespace CameraHub.Tests.Shared;

/// <summary>Runs an external tool the way a recipient or operator would (ffmpeg, sha256sum, openssl) and reports what it said.</summary>
public static class Tool
{
    /// <summary>Runs <paramref name="file"/> to completion in <paramref name="directory"/> (or here); returns its exit code and stdout followed by stderr.</summary>
    public static async Task<(int Code, string Output)> RunInAsync(string? directory, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (directory is not null)
        {
            info.WorkingDirectory = directory;
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        // Read both streams at once: a tool that fills one pipe while we wait on the other would never finish.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Runs <paramref name="file"/> to completion in the current directory.</summary>
    public static Task<(int Code, string Output)> RunAsync(string file, params string[] args) => RunInAsync(null, file, args);
}
