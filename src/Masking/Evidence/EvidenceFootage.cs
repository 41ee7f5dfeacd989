namespace CameraHub.Masking.Evidence;

/// <summary>A recorded segment on disk, for cutting an export.</summary>
public sealed record FootageSegment(string Path, DateTime StartUtc, DateTime EndUtc, long Bytes);

/// <summary>What the recording store holds of a camera in a window: the segments and the gaps between them.</summary>
public sealed record CameraFootage(IReadOnlyList<FootageSegment> Segments, IReadOnlyList<EvidenceGap> Gaps);

/// <summary>The recordings the evidence export needs (declared here, implemented by the recorder): footage by time, and legal holds.</summary>
public interface IEvidenceFootage
{
    Task<CameraFootage> FindAsync(string cameraId, DateTime fromUtc, DateTime toUtc, CancellationToken ct);

    /// <summary>Keeps the camera's footage in the window from retention until released; returns the hold's id.</summary>
    Task<Guid> PlaceHoldAsync(string cameraId, DateTime fromUtc, DateTime toUtc, string caseNumber, DateTime untilUtc, string createdBy, CancellationToken ct);

    Task ReleaseHoldAsync(Guid holdId, string releasedBy, CancellationToken ct);
}
