using System.Globalization;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Retention;
using Microsoft.Extensions.Options;

namespace CameraHub.Masking.Evidence;

/// <summary>The recorder's segment index and legal holds, as the evidence export sees them.</summary>
public sealed class RecordedFootage(SegmentIndex index, LegalHolds holds, IOptions<RecordingOptions> recording) : IEvidenceFootage
{
    public async Task<CameraFootage> FindAsync(string cameraId, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        var rows = await index.InWindowAsync(cameraId, new DateTimeOffset(fromUtc, TimeSpan.Zero), new DateTimeOffset(toUtc, TimeSpan.Zero), ct);
        var segments = new List<FootageSegment>();
        foreach (var row in rows.Where(r => r.State == SegmentState.Complete))
        {
            var path = Path.Combine(Path.GetFullPath(recording.Value.StorageRoot), row.Path.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(path))
            {
                segments.Add(new FootageSegment(path, row.Start.UtcDateTime, row.End.UtcDateTime, row.Bytes));
            }
        }

        // Anything in the window not covered by a segment on disk is a gap, listed rather than hidden.
        var gaps = new List<EvidenceGap>();
        var cursor = fromUtc;
        foreach (var s in segments)
        {
            if ((s.StartUtc - cursor).TotalSeconds > 0.5)
            {
                gaps.Add(new EvidenceGap(cursor, s.StartUtc));
            }

            if (s.EndUtc > cursor)
            {
                cursor = s.EndUtc;
            }
        }

        if ((toUtc - cursor).TotalSeconds > 0.5)
        {
            gaps.Add(new EvidenceGap(cursor, toUtc));
        }

        return new CameraFootage(segments, gaps);
    }

    public async Task<Guid> PlaceHoldAsync(string cameraId, DateTime fromUtc, DateTime toUtc, string caseNumber, DateTime untilUtc, string createdBy, CancellationToken ct)
    {
        var (hold, error) = await holds.CreateAsync(
            new LegalHoldRequest(cameraId, new(fromUtc, TimeSpan.Zero), new(toUtc, TimeSpan.Zero), caseNumber, new(untilUtc, TimeSpan.Zero)), createdBy, ct);
        return hold is null
            ? throw new InvalidOperationException($"legal hold for {cameraId} refused: {error}")
            : Guid.ParseExact(hold.Id, "N");
    }

    public async Task ReleaseHoldAsync(Guid holdId, string releasedBy, CancellationToken ct) =>
        await holds.ReleaseAsync(holdId.ToString("N", CultureInfo.InvariantCulture), releasedBy, ct);
}
