namespace CameraHub.CameraRegistry.Audit;

/// <summary>One row of the append-only, hash-chained audit log.</summary>
public sealed class AuditEntry
{
    /// <summary>1, 2, 3 … without gaps; the chain's order.</summary>
    public long Sequence { get; set; }
    /// <summary>UTC, 100 ns ticks since 0001-01-01.</summary>
    public long AtTicks { get; set; }
    public required string Actor { get; set; }
    public AuditAction Action { get; set; }
    public AuditOutcome Outcome { get; set; }
    public string? CameraId { get; set; }
    /// <summary>Why: purpose or case number.</summary>
    public string? Purpose { get; set; }
    public string? RemoteAddress { get; set; }
    public string? Details { get; set; }
    /// <summary>What the entry is about when not a camera: "grant", "user", "evidence", "segment" …</summary>
    public string? SubjectType { get; set; }
    public string? SubjectId { get; set; }
    /// <summary>Hex SHA-256 of the previous entry (64 zeros for the first).</summary>
    public required string PreviousHash { get; set; }
    /// <summary>Hex SHA-256 over <see cref="PreviousHash"/> and the canonical encoding of this entry.</summary>
    public required string Hash { get; set; }

    public DateTime AtUtc => new(AtTicks, DateTimeKind.Utc);
}
