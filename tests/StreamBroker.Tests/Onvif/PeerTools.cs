using System.Diagnostics;
using CameraHub.StreamBroker.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>Independent programs that judge the fake camera: ffprobe and the npm 'onvif' client.</summary>
internal static class PeerTools
{
    /// <summary>The repository root (where CameraHub.sln lives).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Runs a program to completion and returns its exit code and stdout.</summary>
    public static async Task<(int Code, string Output, string Errors)> RunAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        if (workingDirectory is not null)
        {
            // npm and node need a working directory; FfmpegProcess does not set one, so use Process directly.
            var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
            foreach (var a in arguments)
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info)!;
            using var cts = new CancellationTokenSource(timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
            var stderr = process.StandardError.ReadToEndAsync(cts.Token);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await stdout, await stderr);
        }

        await using var ffmpeg = FfmpegProcess.Start(executable, arguments, NullLogger.Instance, Path.GetFileName(executable));
        using var reader = new StreamReader(ffmpeg.StandardOutput);
        var output = await reader.ReadToEndAsync().WaitAsync(timeout);
        var code = await ffmpeg.Exited.WaitAsync(timeout);
        return (code, output, ffmpeg.Tail);
    }

    /// <summary>Installs the npm 'onvif' client into tests/onvif-peer if a fresh machine does not have it yet.</summary>
    public static async Task<string> OnvifPeerAsync()
    {
        var folder = Path.Combine(RepositoryRoot, "tests", "onvif-peer");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "onvif")))
        {
            var (code, _, errors) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(2), folder);
            Assert.True(code == 0, $"npm ci in {folder} failed: {errors}");
        }

        return folder;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CameraHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CameraHub.sln not found above the test binaries");
    }
}
