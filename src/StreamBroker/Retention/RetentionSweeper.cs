using System.Globalization;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.StreamBroker.Recording;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Retention;

/// <summary>Free space on the recording volume (a seam so tests can fill the disk without filling it).</summary>
public interface IStorageSpace
{
    long FreeBytes(string root);
}

internal sealed class DriveStorageSpace : IStorageSpace
{
    public long FreeBytes(string root)
    {
        Directory.CreateDirectory(root);
        return new DriveInfo(Path.GetFullPath(root)).AvailableFreeSpace;
    }
}

/// <summary>What one sweep did.</summary>
public sealed record SweepReport(int Deleted, long BytesDeleted, int KeptForHolds, bool Paused);

/// <summary>
/// Deletes footage older than each camera's current retention, except footage under an active legal hold; audits each
/// batch as one RecordingsDeleted entry; pauses recording (audited RecordingPaused) when free space stays below the floor.
/// </summary>
public sealed class RetentionSweeper(
    IServiceScopeFactory scopes,
    ICameraDirectory directory,
    IAuditLog audit,
    IStorageSpace space,
    Recorder recorder,
    IOptions<RecordingOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeper> logger)
{
    /// <summary>When the last sweep finished and what it did (null before the first), for the status page.</summary>
    public (DateTimeOffset At, SweepReport Report)? LastSweep { get; private set; }

    /// <summary>When the last sweep failed and why; null once a sweep succeeds (the hub's alarm watch reads it).</summary>
    public (DateTimeOffset At, string Reason)? LastFailure { get; private set; }

    public async Task<SweepReport> SweepAsync(CancellationToken ct)
    {
        try
        {
            var report = await SweepOnceAsync(ct);
            LastFailure = null;
            return report;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LastFailure = (time.GetUtcNow(), $"{e.GetType().Name}: {e.Message}");
            throw;
        }
    }

    private async Task<SweepReport> SweepOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        int deleted = 0, kept = 0;
        long bytes = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var cameras = await db.RecordingSegments.AsNoTracking().Select(s => s.CameraId).Distinct().ToListAsync(ct);
        foreach (var cameraId in cameras)
        {
            // The retention is read at every sweep, so a change in the registry applies on the next one.
            var camera = await directory.FindAsync(cameraId, ct);
            if (camera?.RetentionDays is not { } days)
            {
                logger.LogWarning("Camera {Camera} has footage but no retention in the registry; nothing of it is deleted", cameraId);
                continue;
            }

            var cutoff = (now - TimeSpan.FromDays(days)).UtcTicks;
            var holds = (await db.LegalHolds.AsNoTracking().Where(h => h.CameraId == cameraId && h.ReleasedUtcTicks == null).ToListAsync(ct))
                .Where(h => h.IsActive(now.UtcTicks)).ToList();
            var expired = await db.RecordingSegments.AsNoTracking()
                .Where(s => s.CameraId == cameraId && s.EndUtcTicks <= cutoff)
                .OrderBy(s => s.StartUtcTicks)
                .Select(s => new { s.Id, s.StartUtcTicks, s.EndUtcTicks, s.Path, s.Bytes })
                .ToListAsync(ct);
            var doomed = expired.Where(s => !holds.Any(h => h.Covers(s.StartUtcTicks, s.EndUtcTicks))).ToList();
            kept += expired.Count - doomed.Count;
            foreach (var batch in doomed.Chunk(Math.Max(1, options.Value.DeleteBatchSize)))
            {
                var ids = batch.Select(s => s.Id).ToList();
                // Mark, unlink, delete: a crash in between is finished by the start-up reconciliation.
                await db.RecordingSegments.Where(s => ids.Contains(s.Id)).ExecuteUpdateAsync(u => u.SetProperty(s => s.State, SegmentState.Deleting), ct);
                foreach (var s in batch)
                {
                    File.Delete(Path.Combine(options.Value.StorageRoot, s.Path));
                }

                await db.RecordingSegments.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync(ct);
                var batchBytes = batch.Sum(s => s.Bytes);
                await audit.AppendAsync(new AuditEvent(AuditAction.RecordingsDeleted, AuditOutcome.Allowed, "retention", cameraId, "retention", null,
                    string.Create(CultureInfo.InvariantCulture,
                        $"{batch.Length} segment(s), {batchBytes} bytes, {new DateTimeOffset(batch[0].StartUtcTicks, TimeSpan.Zero):O}..{new DateTimeOffset(batch[^1].EndUtcTicks, TimeSpan.Zero):O}, retention {days} days"),
                    "RecordingSegments", null), ct);
                deleted += batch.Length;
                bytes += batchBytes;
            }
        }

        var paused = await GuardFreeSpaceAsync(ct);
        if (deleted > 0 || kept > 0)
        {
            logger.LogInformation("Retention sweep: {Deleted} segment(s) ({Bytes} bytes) deleted, {Kept} kept for legal holds", deleted, bytes, kept);
        }

        RecordingMetrics.Swept(deleted, bytes);
        var report = new SweepReport(deleted, bytes, kept, paused);
        LastSweep = (now, report);
        return report;
    }

    /// <summary>
    /// Expired footage is already gone when this runs, so if space is still below the floor the only footage left is
    /// inside its retention: recording pauses (with an alarm) rather than deleting it.
    /// </summary>
    private async Task<bool> GuardFreeSpaceAsync(CancellationToken ct)
    {
        var free = space.FreeBytes(options.Value.StorageRoot);
        var floor = options.Value.MinFreeBytes;
        if (free >= floor)
        {
            if (recorder.PausedReason is { } pausedFor)
            {
                logger.LogWarning("Recording resumed: {Free} bytes free again", free);
                recorder.Resume();
                // Every RecordingPaused has its end in the log, so the gap in the footage can be explained.
                await audit.AppendAsync(new AuditEvent(AuditAction.RecordingResumed, AuditOutcome.Allowed, "retention", null, "disk floor", null,
                    string.Create(CultureInfo.InvariantCulture, $"recording storage has {free} bytes free again, above the floor of {floor}; paused because {pausedFor}")), ct);
            }

            return false;
        }

        if (recorder.PausedReason is null)
        {
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"recording storage has {free} bytes free, below the floor of {floor}; all footage left is inside its retention or held");
            logger.LogCritical("Recording paused: {Reason}", reason);
            recorder.Pause(reason);
            await audit.AppendAsync(new AuditEvent(AuditAction.RecordingPaused, AuditOutcome.Allowed, "retention", null, "disk floor", null, reason), ct);
        }

        return true;
    }
}

/// <summary>Runs the sweeper every <see cref="RecordingOptions.SweepInterval"/>.</summary>
internal sealed class RetentionService(
    RetentionSweeper sweeper, IClusterLeases leases, IOptions<RecordingOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Once per cluster: the nodes share the index and the storage, so one sweep at a time deletes each segment once.
                await leases.RunOnceInClusterAsync("retention", sweeper.SweepAsync, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                logger.LogError(e, "Retention sweep failed; retrying at the next interval");
            }

            try
            {
                await Task.Delay(options.Value.SweepInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
