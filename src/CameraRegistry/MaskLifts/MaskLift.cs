namespace CameraHub.CameraRegistry.MaskLifts;

/// <summary>Where a lift is in its life: asked for, approved by a second person (in force until it expires), or over.</summary>
public enum MaskLiftStatus
{
    Requested = 1,
    Approved = 2,
    Ended = 3,
}

/// <summary>
/// A request to see a liftable mask's obscured area (DESIGN.md 4.6): one user, one camera, live and/or one window of
/// recordings, with a reason; in force only once a second person approved it, and only until it expires or is ended.
/// </summary>
public sealed class MaskLift
{
    public Guid Id { get; set; }
    public required string CameraId { get; set; }
    /// <summary>The only user the lift unmasks for.</summary>
    public required string RequestedBy { get; set; }
    public required string Reason { get; set; }
    /// <summary>Whether the lift covers the live picture.</summary>
    public bool Live { get; set; }
    /// <summary>UTC; the window of recordings the lift covers (both or neither).</summary>
    public DateTime? PlaybackFromUtc { get; set; }
    public DateTime? PlaybackToUtc { get; set; }
    /// <summary>How long the lift lasts once approved (at most the configured maximum).</summary>
    public int DurationMinutes { get; set; }
    public DateTime RequestedAtUtc { get; set; }
    public MaskLiftStatus Status { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTime? ApprovedAtUtc { get; set; }
    /// <summary>UTC; set at approval.</summary>
    public DateTime? ExpiresAtUtc { get; set; }
    public DateTime? EndedAtUtc { get; set; }
    public string? EndedBy { get; set; }
    public string? EndReason { get; set; }

    /// <summary>Approved, not ended and not expired at <paramref name="utc"/>.</summary>
    public bool InForceAt(DateTime utc) => Status == MaskLiftStatus.Approved && ExpiresAtUtc is { } end && utc < end;

    /// <summary>Whether it covers reading footage recorded from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public bool CoversRecorded(DateTimeOffset from, DateTimeOffset to) =>
        PlaybackFromUtc is { } start && PlaybackToUtc is { } end && start <= from.UtcDateTime && to.UtcDateTime <= end;
}

/// <summary>Settings of mask lifts (configuration section <c>CameraHub:MaskLifts</c>).</summary>
public sealed class MaskLiftOptions
{
    /// <summary>The longest a lift may last once approved.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a request waits for its approval before it lapses.</summary>
    public TimeSpan ApprovalWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest window of recordings one lift may cover.</summary>
    public TimeSpan MaxPlaybackWindow { get; set; } = TimeSpan.FromHours(24);
}
