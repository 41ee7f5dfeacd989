using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Recording;

/// <summary>The segment index in the database (singleton-safe: each call opens its own scope).</summary>
public sealed class SegmentIndex(IServiceScopeFactory scopes)
{
    /// <summary>Inserts the row of a closed segment (after its file was renamed and synced).</summary>
    public async Task AddAsync(RecordingSegment segment, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        db.RecordingSegments.Add(segment);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The camera's segments overlapping [from, to), oldest first (Complete and Missing rows).</summary>
    public async Task<IReadOnlyList<RecordingSegment>> InWindowAsync(string cameraId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var (f, t) = (from.UtcTicks, to.UtcTicks);
        return await db.RecordingSegments.AsNoTracking()
            .Where(s => s.CameraId == cameraId && s.State != SegmentState.Deleting && s.StartUtcTicks < t && s.EndUtcTicks > f)
            .OrderBy(s => s.StartUtcTicks)
            .ToListAsync(ct);
    }

    /// <summary>Bytes and recorded time per camera, for storage accounting.</summary>
    public async Task<IReadOnlyList<CameraStorage>> StorageAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var rows = await db.RecordingSegments.AsNoTracking()
            .Where(s => s.State == SegmentState.Complete)
            .GroupBy(s => s.CameraId)
            .Select(g => new { CameraId = g.Key, Segments = g.Count(), Bytes = g.Sum(s => s.Bytes), Ticks = g.Sum(s => s.EndUtcTicks - s.StartUtcTicks) })
            .ToListAsync(ct);
        return [.. rows.Select(r => new CameraStorage(r.CameraId, r.Segments, r.Bytes,
            r.Ticks <= 0 ? 0 : Math.Round(r.Bytes * 8 / 1000.0 / TimeSpan.FromTicks(r.Ticks).TotalSeconds, 1)))];
    }
}

/// <summary>What a camera's footage occupies: segments, bytes and the bitrate they were recorded at (kbit/s).</summary>
public sealed record CameraStorage(string CameraId, int Segments, long Bytes, double BitrateKbps);
