namespace CameraHub.CameraRegistry.Audit;

/// <summary>What happened. Numbers are stored and never reused; blocks of 100 per subject.</summary>
public enum AuditAction
{
    LoginSucceeded = 100,
    LoginFailed = 101,
    UserLockedOut = 102,
    UserCreated = 110,
    UserDisabled = 111,
    UserChanged = 112,
    /// <summary>Sign-in attempts from one address over the rate limit (one entry per address and window).</summary>
    SignInThrottled = 120,

    GrantCreated = 200,
    GrantRevoked = 201,

    CameraCreated = 300,
    CameraUpdated = 301,
    CameraImported = 302,
    CameraDecommissioned = 303,
    CameraProbed = 304,
    OrganisationCreated = 310,
    SiteCreated = 311,

    LiveViewStarted = 400,
    LiveViewEnded = 401,
    LiveViewRevoked = 402,

    PlaybackStarted = 500,
    PlaybackEnded = 501,
    RecordingsListed = 502,

    EvidenceRequested = 600,
    EvidenceApproved = 601,
    EvidenceRejected = 602,
    EvidenceProduced = 603,
    EvidenceDownloaded = 604,
    EvidenceExpired = 605,
    EvidenceFailed = 606,

    RecordingsDeleted = 700,
    LegalHoldCreated = 701,
    LegalHoldReleased = 702,
    RecordingPaused = 703,
    RecordingResumed = 704,

    PartnerSessionStarted = 800,
    PartnerSessionEnded = 801,
    PartnerCredentialsIssued = 802,
    SharingAgreementChanged = 803,

    AccessDenied = 900,
    AuditQueried = 901,
    AuditExported = 902,
    MaskViewed = 903,

    // Care supervision (issue #19).
    CareDecisionCreated = 1400,
    CareDecisionImported = 1401,
    CareDecisionPaused = 1402,
    CareDecisionResumed = 1403,
    CareDecisionWithdrawn = 1404,
    CareLookStarted = 1410,
    CareEmergencyLook = 1411,
    CareVisitRecorded = 1412,
    CareVisitMissed = 1413,
    CareStaffChanged = 1420,

    // Alarm desk (issue #18): the queue's steps, camera events, bookmarks, event intake, the hub's own alarms.
    AlarmAcknowledged = 1800,
    AlarmClosed = 1801,
    AlarmCommented = 1802,
    BookmarkCreated = 1805,
    EventIntakeChanged = 1806,
    HubAlarmRaised = 1807,
    HubAlarmCleared = 1808,

    /// <summary>A camera's mask got a new version (profile or calibration changed; the old one stays for older footage).</summary>
    MaskVersionCreated = 1900,
    /// <summary>Someone holding Unmask asked to see a liftable mask's obscured area, with a reason.</summary>
    MaskLiftRequested = 1910,
    /// <summary>A second person approved a lift (never the requester).</summary>
    MaskLiftApproved = 1911,
    /// <summary>An unmasked picture (live, playback or evidence) was opened under an approved lift.</summary>
    MaskLiftStarted = 1912,
    /// <summary>A lift ended: expired, revoked, or refused by the approver.</summary>
    MaskLiftEnded = 1913,

    /// <summary>An evidence package holds an unmasked copy of a masked camera, under an approved mask lift.</summary>
    EvidenceUnmaskedCopy = 1920,

    // Alarm desk, operations (issues #18, #20): camera events past their retention.
    CameraEventsDeleted = 1950,

    // Cluster (issue #17): an administrator drained a node (it hands its cameras over) or let it take cameras again.
    NodeDrained = 2100,
    NodeUndrained = 2101,
}

/// <summary>Whether the action was let through.</summary>
public enum AuditOutcome
{
    Allowed = 1,
    Denied = 2,
}

/// <summary>One thing to append to the audit log; the log adds sequence, time and hashes.</summary>
public sealed record AuditEvent(
    AuditAction Action,
    AuditOutcome Outcome,
    string Actor,
    string? CameraId = null,
    string? Purpose = null,
    string? RemoteAddress = null,
    string? Details = null,
    string? SubjectType = null,
    string? SubjectId = null);

/// <summary>Appends to the append-only, hash-chained audit log (DESIGN.md 4.5).</summary>
public interface IAuditLog
{
    /// <summary>Appends the event; returns its sequence number.</summary>
    Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken ct);
}
