namespace CameraHub.StreamBroker.Alarms;

/// <summary>
/// The names of the hub's own alarm kinds, in one place: what raises each, at what severity and what clears it is in
/// docs/design/alarms.md. Names are stable (stored with every alarm and filtered on by operators).
/// </summary>
public static class HubAlarmKinds
{
    /// <summary>An open upstream offline longer than the threshold (<see cref="HubAlarmWatch"/>).</summary>
    public const string CameraOffline = "hub.CameraOffline";

    /// <summary>Permits or balancing reviews due within the horizon, one per owner (<see cref="HubAlarmWatch"/>).</summary>
    public const string LegalBasisDue = "hub.LegalBasisDue";

    /// <summary>Intake on, but the camera has no usable events service (<see cref="EventIntake"/>).</summary>
    public const string NoEventService = "hub.NoEventService";

    /// <summary>Recording storage below its free-space floor, or recording paused for it (<see cref="HubAlarmWatch"/>).</summary>
    public const string DiskFloor = "hub.DiskFloor";

    /// <summary>The last retention sweep failed (<see cref="HubAlarmWatch"/> over the sweeper's last outcome).</summary>
    public const string RetentionSweepFailed = "hub.RetentionSweepFailed";

    /// <summary>Verification found the audit chain broken (<see cref="HubAlarmWatch"/> over the last verification).</summary>
    public const string AuditChainBroken = "hub.AuditChainBroken";

    /// <summary>An evidence job failed, one per case number (the evidence producer).</summary>
    public const string EvidenceFailed = "hub.EvidenceFailed";

    /// <summary>A camera sends events faster than the flood limit (<see cref="AlarmStore"/>).</summary>
    public const string CameraFlooding = "hub.CameraFlooding";

    /// <summary>A node of the cluster stopped beating, one per node name (the host's NodeLossWatch).</summary>
    public const string NodeLost = "hub.NodeLost";

    /// <summary>A camera claims Media2 privacy masks but its picture does not show them (CameraMasks.CameraMaskWatch).</summary>
    public const string CameraMaskNotApplied = "hub.CameraMaskNotApplied";

    /// <summary>A recorded camera's writer is dropping footage: a gap in its recording (<see cref="HubAlarmWatch"/>).</summary>
    public const string RecordingGap = "hub.RecordingGap";

    /// <summary>The recording writers of a node hold more unwritten footage than the threshold (<see cref="HubAlarmWatch"/>).</summary>
    public const string WriterBacklog = "hub.WriterBacklog";
}
