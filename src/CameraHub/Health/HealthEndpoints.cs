using System.Diagnostics;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Composition;
using CameraHub.StreamBroker.Recording;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CameraHub.Health;

/// <summary>GET /healthz: each component's state.</summary>
public static class HealthEndpoints
{
    public static IEndpointConventionBuilder MapHealth(this IEndpointRouteBuilder routes) =>
        routes.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = async (http, report) =>
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsJsonAsync(new
                {
                    status = report.Status.ToString(),
                    components = report.Entries.ToDictionary(
                        e => e.Key,
                        e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
                });
            },
        });
}

/// <summary>The registry database answers.</summary>
public sealed class DatabaseHealthCheck(RegistryDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"{db.Database.ProviderName} reachable")
            : HealthCheckResult.Unhealthy("database unreachable");
}

/// <summary>ffmpeg and ffprobe are on PATH and run.</summary>
public sealed class FfmpegHealthCheck : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("ffmpeg", "-hide_banner -version") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null)
            {
                return HealthCheckResult.Unhealthy("ffmpeg could not be started");
            }

            var firstLine = (await process.StandardOutput.ReadLineAsync(cancellationToken)) ?? string.Empty;
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0 ? HealthCheckResult.Healthy(firstLine) : HealthCheckResult.Unhealthy($"ffmpeg exited with {process.ExitCode}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return HealthCheckResult.Unhealthy($"ffmpeg not found on PATH: {ex.Message}");
        }
    }
}

/// <summary>
/// The data directory is writable, and recording is not losing footage: Degraded while recording is paused, a writer
/// drops footage, or the recording volume is below CameraHub:Recording:MinFreeBytes.
/// </summary>
public sealed class StorageHealthCheck(IOptions<HubOptions> options, RecordingMonitor recording) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var dir = options.Value.ResolvedDataDirectory();
        var probe = Path.Combine(dir, ".healthz");
        try
        {
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (IOException ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{dir} is not writable: {ex.Message}"));
        }
        catch (UnauthorizedAccessException ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{dir} is not writable: {ex.Message}"));
        }

        var state = recording.Current();
        var text = $"{dir} writable; {state.Describe()}";
        return Task.FromResult(state.Degraded ? HealthCheckResult.Degraded(text) : HealthCheckResult.Healthy(text));
    }
}
