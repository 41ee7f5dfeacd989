using System.Text.RegularExpressions;

namespace CameraHub.Masking.Evidence;

/// <summary>Where an evidence request is in its life.</summary>
public enum EvidenceStatus
{
    Requested = 1,
    Approved = 2,
    Producing = 3,
    Ready = 4,
    Rejected = 5,
    Failed = 6,
    Expired = 7,
}

/// <summary>A police request for footage: case, cameras, exact UTC window, reason; approved by someone else; produced in the background.</summary>
public sealed class EvidenceRequest
{
    public Guid Id { get; set; }
    public required string CaseNumber { get; set; }
    public required string RequestedBy { get; set; }
    public List<string> CameraIds { get; set; } = [];
    /// <summary>UTC.</summary>
    public DateTime FromUtc { get; set; }
    /// <summary>UTC.</summary>
    public DateTime ToUtc { get; set; }
    public required string Reason { get; set; }
    public EvidenceStatus Status { get; set; }
    public string? DecidedBy { get; set; }
    public DateTime? DecidedAtUtc { get; set; }
    public string? RejectionReason { get; set; }
    /// <summary>0–100.</summary>
    public int Progress { get; set; }
    public string? Stage { get; set; }
    public string? Error { get; set; }
    /// <summary>Relative to the exports directory.</summary>
    public string? PackageFile { get; set; }
    public string? PackageSha256 { get; set; }
    public long? PackageBytes { get; set; }
    /// <summary>Legal holds placed for this request (one per camera), released when it ends.</summary>
    public List<Guid> HoldIds { get; set; } = [];
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? ReadyAtUtc { get; set; }
    /// <summary>UTC; after it the package is deleted and the holds end.</summary>
    public DateTime? ExpiresAtUtc { get; set; }
}

/// <summary>
/// Swedish police case numbers (diarienummer): a four-digit unit code, K and up to seven digits, and the two-digit
/// year, e.g. 5000-K123456-26.
/// </summary>
public static partial class CaseNumber
{
    [GeneratedRegex(@"^\d{4}-K\d{1,7}-\d{2}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);
}
