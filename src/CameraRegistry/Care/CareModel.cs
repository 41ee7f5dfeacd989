namespace CameraHub.CameraRegistry.Care;

/// <summary>Whether a supervision decision lets anyone look (DESIGN.md 12).</summary>
public enum DecisionState
{
    Active = 1,
    /// <summary>The resident is away (hospital): visits are cancelled, nobody may look.</summary>
    Paused = 2,
    /// <summary>Ended for good (consent withdrawn, decision ended): nobody may look again.</summary>
    Withdrawn = 3,
}

/// <summary>Where a planned visit ended.</summary>
public enum VisitState
{
    Planned = 1,
    Done = 2,
    Missed = 3,
    Cancelled = 4,
}

/// <summary>What the operator saw on a visit.</summary>
public enum VisitOutcome
{
    Ok = 1,
    NeedsAttention = 2,
    NoPicture = 3,
}

/// <summary>
/// A resident's supervision decision (biståndsbeslut) behind one care camera: who, on what decision, with whose consent,
/// at which local times a care operator of <see cref="CareUnit"/> may look, and for how long.
/// </summary>
public sealed class CareDecision
{
    public Guid Id { get; set; }
    public string CameraId { get; set; } = "";
    /// <summary>Pseudonymous resident id (never a personal identity number).</summary>
    public string ResidentId { get; set; } = "";
    /// <summary>Shown to care staff of the unit only.</summary>
    public string ResidentName { get; set; } = "";
    public string DecisionReference { get; set; } = "";
    public DateOnly DecisionDate { get; set; }
    public DateOnly ValidFrom { get; set; }
    /// <summary>Last valid day (inclusive); null: until further notice.</summary>
    public DateOnly? ValidTo { get; set; }
    public string ConsentBy { get; set; } = "";
    /// <summary>UTC.</summary>
    public DateTime ConsentAtUtc { get; set; }
    /// <summary>Visit times per weekday in Swedish local time, <see cref="VisitSchedule"/> text form.</summary>
    public string Schedule { get; set; } = "";
    /// <summary>Minutes either side of each visit time during which the look may start.</summary>
    public int WindowMinutes { get; set; } = 15;
    /// <summary>Longest look per visit, seconds.</summary>
    public int LongestLookSeconds { get; set; } = 180;
    public string CareUnit { get; set; } = "";
    public DecisionState State { get; set; } = DecisionState.Active;
    public string? StateReason { get; set; }
    public int Version { get; set; } = 1;
    /// <summary>UTC.</summary>
    public DateTime UpdatedAtUtc { get; set; }
    public string UpdatedBy { get; set; } = "";

    /// <summary>In force on a local day: active and inside its validity.</summary>
    public bool InForceOn(DateOnly day) => State == DecisionState.Active && ValidFrom <= day && (ValidTo is null || day <= ValidTo);
}

/// <summary>One version of a decision as it was after a change (history is append-only).</summary>
public sealed class CareDecisionChange
{
    public long Id { get; set; }
    public Guid DecisionId { get; set; }
    public int Version { get; set; }
    /// <summary>UTC.</summary>
    public DateTime AtUtc { get; set; }
    public string By { get; set; } = "";
    public string Change { get; set; } = "";
    /// <summary>The decision's fields after the change, JSON.</summary>
    public string Snapshot { get; set; } = "";
}

/// <summary>One planned supervision visit and how it ended.</summary>
public sealed class CareVisit
{
    public Guid Id { get; set; }
    public Guid DecisionId { get; set; }
    public string CameraId { get; set; } = "";
    public string CareUnit { get; set; } = "";
    /// <summary>UTC instant of the planned local time (after the daylight-saving rule of <see cref="VisitSchedule"/>).</summary>
    public DateTime PlannedAtUtc { get; set; }
    /// <summary>UTC; the look may start from here…</summary>
    public DateTime WindowStartUtc { get; set; }
    /// <summary>…until here (exclusive). When it passes with no look the visit is missed.</summary>
    public DateTime WindowEndUtc { get; set; }
    public VisitState State { get; set; } = VisitState.Planned;
    public int Looks { get; set; }
    public string? DoneBy { get; set; }
    /// <summary>UTC start of the first look.</summary>
    public DateTime? LookStartedAtUtc { get; set; }
    /// <summary>Total seconds looked during this visit.</summary>
    public int? LookSeconds { get; set; }
    public VisitOutcome? Outcome { get; set; }
    public string? Note { get; set; }
    /// <summary>UTC.</summary>
    public DateTime? OutcomeAtUtc { get; set; }
}

/// <summary>One look at a care camera: in a visit, or an emergency look (flagged for follow-up).</summary>
public sealed class CareLook
{
    public Guid Id { get; set; }
    public Guid DecisionId { get; set; }
    /// <summary>Null for an emergency look outside the schedule.</summary>
    public Guid? VisitId { get; set; }
    public string CameraId { get; set; } = "";
    public string UserName { get; set; } = "";
    /// <summary>UTC.</summary>
    public DateTime StartedAtUtc { get; set; }
    /// <summary>UTC: the longest look ends here; the stream is cut at this instant.</summary>
    public DateTime EndsAtUtc { get; set; }
    /// <summary>UTC, when ended earlier (outcome recorded, decision paused).</summary>
    public DateTime? EndedAtUtc { get; set; }
    public string? Reason { get; set; }
    public bool Emergency { get; set; }
    public bool FollowUp { get; set; }

    public bool IsOpenAt(DateTime utc) => EndedAtUtc is null && utc < EndsAtUtc;

    /// <summary>Seconds actually available to look (until ended or the limit).</summary>
    public int SecondsAt(DateTime utc) =>
        (int)Math.Max(0, ((EndedAtUtc ?? (utc < EndsAtUtc ? utc : EndsAtUtc)) - StartedAtUtc).TotalSeconds);
}

/// <summary>A user who works in a care unit (a CareOperator sees and visits that unit's residents).</summary>
public sealed class CareStaffMember
{
    public string UserName { get; set; } = "";
    public string CareUnit { get; set; } = "";
}

/// <summary>A local day whose visits have been written as rows (later days are projected from the schedules).</summary>
public sealed class CarePlannedDay
{
    public DateOnly Day { get; set; }
    /// <summary>UTC.</summary>
    public DateTime PlannedAtUtc { get; set; }
}
