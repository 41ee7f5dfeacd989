using System.Diagnostics;
using System.Globalization;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Recording;
using CameraHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.Tests.Recording;

/// <summary>
/// A hub killed with SIGKILL in the middle of a segment (a separate process, the real host) loses at most that
/// segment's torn tail; the next start recovers the rest and the index agrees with the disk.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task A_hub_killed_mid_segment_loses_at_most_that_segment_and_the_restarted_hub_indexes_what_was_written()
    {
        var id = $"TRF-K-{Guid.NewGuid():N}"[..14];
        await using var camera = await RtspTestPattern.StartAsync(id, 320, 240, 10, NullLogger.Instance, CancellationToken.None);
        await using var setup = new HubFactory();
        await setup.SeedOrganisationsAsync();
        await setup.CreateCameraAsync(SampleCameras.Traffic(id) with
        {
            Mode = CameraMode.LiveAndRecorded,
            RetentionDays = 7,
            RtspUrl = camera.Uri.ToString(),
        });
        var data = setup.DataDirectory;

        // The real hub in its own process, recording with 30-second segments so the kill lands inside one.
        var hubDirectory = AppContext.BaseDirectory;
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = hubDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(hubDirectory, "CameraHub.dll"));
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["CameraHub__DataDirectory"] = data;
        foreach (var (key, value) in setup.Database.Settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value; // the same database (SQLite file or PostgreSQL)
        }

        info.Environment["CameraHub__Demo"] = "false";
        info.Environment["CameraHub__Recording__Enabled"] = "true";
        info.Environment["CameraHub__Recording__SegmentLength"] = "00:00:30";
        using var hub = Process.Start(info)!;
        hub.OutputDataReceived += (_, _) => { };
        hub.ErrorDataReceived += (_, _) => { };
        hub.BeginOutputReadLine();
        hub.BeginErrorReadLine();
        string? partial = null;
        try
        {
            var root = Path.Combine(data, "recordings");
            Assert.True(await EventuallyAsync(() =>
            {
                partial = Directory.Exists(root) ? Directory.EnumerateFiles(root, "*.partial", SearchOption.AllDirectories).FirstOrDefault() : null;
                return partial is not null;
            }, TimeSpan.FromSeconds(60)), "the separate hub starts writing a segment");
            await Task.Delay(TimeSpan.FromSeconds(4)); // a few seconds into the 30-second segment
        }
        finally
        {
            hub.Kill(); // SIGKILL: no shutdown code runs
            await hub.WaitForExitAsync();
        }

        Assert.NotNull(partial);
        var writtenBeforeKill = new FileInfo(partial).Length;
        // The upstream ffmpeg loses its reader with the hub and must not outlive it.
        var orphaned = await EventuallyAsync(() => FfmpegWith(id).Count == 0, TimeSpan.FromSeconds(15));
        foreach (var pid in FfmpegWith(id))
        {
            using var leftover = Process.GetProcessById(pid);
            leftover.Kill();
        }

        Assert.True(orphaned, "no ffmpeg left behind by the killed hub");

        // Restart (in process, recording off so nothing new is written) and reconcile as start-up does.
        await using var restarted = new HubFactory(settings: new(setup.Database.Settings) { ["CameraHub:DataDirectory"] = data });
        _ = restarted.Server;
        var report = await restarted.WithScopeAsync(sp => sp.GetRequiredService<Reconciler>().RunAsync(CancellationToken.None));

        Assert.Equal(1, report.RecoveredPartials);
        var rows = await restarted.WithScopeAsync(async sp =>
            await sp.GetRequiredService<RecordingDbContext>().RecordingSegments.AsNoTracking().Where(s => s.CameraId == id).ToListAsync());
        var row = Assert.Single(rows);
        var file = Path.Combine(data, "recordings", row.Path);
        Assert.Equal(partial[..^".partial".Length], file);
        Assert.False(File.Exists(partial));
        Assert.Equal(new FileInfo(file).Length, row.Bytes);
        Assert.InRange(row.Bytes, writtenBeforeKill - 200_000, writtenBeforeKill);
        var indexed = (row.End - row.Start).TotalSeconds;
        Assert.InRange(indexed, 2.5, 30.0);
        var frames = await FramesAsync(file);
        Assert.InRange(frames / 10.0, indexed - 0.25, indexed + 0.25);
    }

    /// <summary>ffmpeg processes whose command line names <paramref name="marker"/> (each upstream carries its camera's URL).</summary>
    private static List<int> FfmpegWith(string marker) =>
        [.. Directory.EnumerateDirectories("/proc").Where(dir =>
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                return (cmdline.StartsWith("ffmpeg", StringComparison.Ordinal) || cmdline.Contains("/ffmpeg ", StringComparison.Ordinal)) && cmdline.Contains(marker, StringComparison.Ordinal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }).Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0).Where(pid => pid > 0)];

    private static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return condition();
    }

    private static async Task<int> FramesAsync(string file)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "default=nw=1:nk=1", file })
        {
            info.ArgumentList.Add(a);
        }

        using var probe = Process.Start(info)!;
        var output = await probe.StandardOutput.ReadToEndAsync();
        await probe.WaitForExitAsync();
        Assert.True(probe.ExitCode == 0, await probe.StandardError.ReadToEndAsync());
        return int.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
