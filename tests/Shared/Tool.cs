using System.Diagnostics;

namespace CameraHub.Tests.Shared;

/// <summary>Runs an external tool the way a recipient or operator would (ffmpeg, ffprobe, sha256sum, openssl) and reports what it said.</summary>
public static class Tool
{
    /// <summary>Longer than any tool a test runs should take: a hung tool fails its test instead of the whole suite.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="file"/> to completion in <paramref name="directory"/> (or here); returns its exit code and stdout followed by stderr.</summary>
    public static async Task<(int Code, string Output)> RunInAsync(string? directory, string file, params string[] args)
    {
        var (code, stdout, stderr) = await RunApartAsync(file, args, directory: directory);
        return (code, stdout + stderr);
    }

    /// <summary>Runs <paramref name="file"/> to completion in the current directory.</summary>
    public static Task<(int Code, string Output)> RunAsync(string file, params string[] args) => RunInAsync(null, file, args);

    /// <summary>Runs <paramref name="file"/> and returns its stdout alone (e.g. ffprobe's JSON); fails the test, with stderr, on a non-zero exit.</summary>
    public static async Task<string> OutputOfAsync(string file, params string[] args)
    {
        var (code, stdout, stderr) = await RunApartAsync(file, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }

    /// <summary>
    /// Runs <paramref name="file"/> to completion in <paramref name="directory"/> (or here) within <paramref name="timeout"/>
    /// (default two minutes; the tool is killed and the test fails after it) and returns stdout and stderr apart.
    /// </summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunApartAsync(
        string file, IEnumerable<string> args, TimeSpan? timeout = null, string? directory = null)
    {
        var patience = timeout ?? Patience;
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
        using var cancel = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {patience}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
