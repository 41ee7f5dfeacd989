namespace CameraHub.CameraRegistry.Audit;

/// <summary>One verdict on the audit chain: when, whether it held, and the first problem found.</summary>
public sealed record AuditChainVerdict(DateTimeOffset At, bool Valid, string? Problem);

/// <summary>
/// The newest verdict on the audit chain in this process, from a verification or from the checkpointer finding a signed
/// head gone; the hub's alarms and the status page read it instead of verifying again (a million entries take seconds).
/// </summary>
public sealed class AuditChainStatus
{
    private AuditChainVerdict? _last;

    /// <summary>Null until the chain was verified or found broken.</summary>
    public AuditChainVerdict? Last => Volatile.Read(ref _last);

    public void Report(AuditChainVerdict verdict)
    {
        Volatile.Write(ref _last, verdict);
        AuditMetrics.Verdict(verdict.Valid);
    }
}
