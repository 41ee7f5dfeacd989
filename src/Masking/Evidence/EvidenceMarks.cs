using CameraHub.StreamBroker.Alarms;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.Masking.Evidence;

/// <summary>
/// What the alarm desk knows about a camera's window, for the evidence manifest: the bookmarks overlapping it and the
/// camera's events inside it (docs/design/alarms.md "Bookmarks on recordings"). Without the alarm desk, none.
/// </summary>
public sealed class EvidenceMarks(IDbContextFactory<AlarmsDbContext>? alarms = null)
{
    /// <summary>More than this many events in one window are cut (a flooding camera); the manifest says how many were kept.</summary>
    public const int MaxEvents = 1000;

    public async Task<(IReadOnlyList<EvidenceBookmark> Bookmarks, IReadOnlyList<EvidenceCameraEvent> Events)> ForAsync(
        string cameraId, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        if (alarms is null)
        {
            return ([], []);
        }

        var from = fromUtc.Ticks;
        var to = toUtc.Ticks;
        await using var db = await alarms.CreateDbContextAsync(ct);
        var bookmarks = await db.Bookmarks.AsNoTracking()
            .Where(b => b.CameraId == cameraId && b.ToUtcTicks >= from && b.AtUtcTicks <= to)
            .OrderBy(b => b.AtUtcTicks).ToListAsync(ct);
        var events = await db.CameraEvents.AsNoTracking()
            .Where(e => e.CameraId == cameraId && e.OccurredUtcTicks >= from && e.OccurredUtcTicks <= to)
            .OrderBy(e => e.OccurredUtcTicks).Take(MaxEvents).ToListAsync(ct);
        return (
            [.. bookmarks.Select(b => new EvidenceBookmark(Utc(b.AtUtcTicks), Utc(b.ToUtcTicks), b.Note, b.CreatedBy, Utc(b.CreatedUtcTicks)))],
            [.. events.Select(e => new EvidenceCameraEvent(Utc(e.OccurredUtcTicks), e.Category.ToString(), e.Topic, e.Operation, e.Active))]);
    }

    private static DateTime Utc(long ticks) => new(ticks, DateTimeKind.Utc);
}
