using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Recording;

/// <summary>What start-up reconciliation did (design: invariants between disk and index).</summary>
public sealed record ReconcileReport(int RecoveredPartials, int RemovedPartials, int IndexedOrphans, int RemovedUnreadable, int MarkedMissing, int FinishedDeletes)
{
    public override string ToString() =>
        $"{RecoveredPartials} partial segment(s) recovered, {RemovedPartials} empty partial(s) removed, {IndexedOrphans} unindexed segment(s) indexed, "
        + $"{RemovedUnreadable} unreadable file(s) removed, {MarkedMissing} missing file(s) marked, {FinishedDeletes} interrupted deletion(s) finished";
}

/// <summary>
/// Brings the index and the disk back in line after a crash or a hub stop: runs before the recorder writes anything.
/// </summary>
public sealed class Reconciler(IServiceScopeFactory scopes, IOptions<RecordingOptions> options, ILogger<Reconciler> logger)
{
    public Task<ReconcileReport> RunAsync(CancellationToken ct) => RunAsync(null, ct);

    /// <summary>
    /// Reconciles the whole storage, or only <paramref name="onlyCamera"/>'s tree: in a cluster a node that just claimed a
    /// camera recovers what its previous owner left (the other cameras' open segments are other nodes' live files).
    /// </summary>
    public async Task<ReconcileReport> RunAsync(string? onlyCamera, CancellationToken ct)
    {
        var root = options.Value.StorageRoot;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();

        // 1. Deletions a crash interrupted: the rows were marked, some files may still exist. (Not per camera: the
        // retention sweep may be deleting on another node right now; the next whole reconciliation finishes them.)
        var deleting = onlyCamera is null ? await db.RecordingSegments.Where(s => s.State == SegmentState.Deleting).ToListAsync(ct) : [];
        foreach (var row in deleting)
        {
            File.Delete(Path.Combine(root, row.Path));
        }

        db.RecordingSegments.RemoveRange(deleting);
        await db.SaveChangesAsync(ct);

        var indexed = (await db.RecordingSegments.AsNoTracking().Where(s => onlyCamera == null || s.CameraId == onlyCamera).Select(s => s.Path).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var tree = onlyCamera is null ? root : Path.Combine(root, onlyCamera);
        int recovered = 0, removedPartials = 0, orphans = 0, unreadable = 0;
        if (Directory.Exists(tree))
        {
            foreach (var file in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories))
            {
                var name = Path.GetFileName(file);
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                var cameraId = relative.Split('/')[0];
                if (!SegmentFiles.TryParseStart(name, out var start) || relative.Split('/').Length != 5)
                {
                    continue;
                }

                if (name.EndsWith(SegmentFiles.PartialExtension, StringComparison.Ordinal))
                {
                    var target = relative[..^".partial".Length];
                    if (await RecoverPartialAsync(db, root, file, target, cameraId, start, ct))
                    {
                        recovered++;
                        logger.LogWarning("Recovered the partial segment {Path} left by an interrupted recording", relative);
                    }
                    else
                    {
                        removedPartials++;
                        logger.LogWarning("Removed the partial segment {Path}: it held no complete fragment", relative);
                    }
                }
                else if (!indexed.Contains(relative))
                {
                    var contents = await SegmentFiles.ReadAsync(file, ct);
                    if (contents is null)
                    {
                        File.Delete(file);
                        unreadable++;
                        logger.LogWarning("Removed {Path}: not a readable segment", relative);
                        continue;
                    }

                    db.RecordingSegments.Add(Row(cameraId, start, contents.Duration, relative, new FileInfo(file).Length));
                    await db.SaveChangesAsync(ct);
                    orphans++;
                    logger.LogWarning("Indexed {Path}: the file was complete but had no index row", relative);
                }
            }
        }

        // 3. Rows whose file vanished stay, marked, so playback shows a gap with a reason instead of failing.
        var missing = 0;
        foreach (var row in await db.RecordingSegments.Where(s => s.State == SegmentState.Complete && (onlyCamera == null || s.CameraId == onlyCamera)).ToListAsync(ct))
        {
            if (!File.Exists(Path.Combine(root, row.Path)))
            {
                row.State = SegmentState.Missing;
                missing++;
                logger.LogWarning("Segment {Path} is indexed but its file is missing; marked Missing", row.Path);
            }
        }

        await db.SaveChangesAsync(ct);
        var report = new ReconcileReport(recovered, removedPartials, orphans, unreadable, missing, deleting.Count);
        logger.LogInformation("Recording storage reconciled: {Report}", report);
        return report;
    }

    private static async Task<bool> RecoverPartialAsync(
        RecordingDbContext db, string root, string partial, string target, string cameraId, DateTimeOffset start, CancellationToken ct)
    {
        var contents = await SegmentFiles.ReadAsync(partial, ct);
        if (contents is null)
        {
            File.Delete(partial);
            return false;
        }

        // Rewrite the whole fragments only: a half-written tail box would make players stop or fail at the end.
        var full = Path.Combine(root, target);
        await using (var output = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            await output.WriteAsync(contents.Init.Data, ct);
            foreach (var f in contents.Fragments)
            {
                await output.WriteAsync(f.Data, ct);
            }

            output.Flush(flushToDisk: true);
        }

        File.Delete(partial);
        db.RecordingSegments.Add(Row(cameraId, start, contents.Duration, target, new FileInfo(full).Length));
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static RecordingSegment Row(string cameraId, DateTimeOffset start, TimeSpan duration, string path, long bytes) => new()
    {
        CameraId = cameraId,
        StartUtcTicks = start.UtcTicks,
        EndUtcTicks = (start + duration).UtcTicks,
        Path = path,
        Bytes = bytes,
    };
}
