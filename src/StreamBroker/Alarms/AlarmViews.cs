using CameraHub.StreamBroker.Onvif.Events;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>An alarm as the API and the console see it (times UTC).</summary>
public sealed record AlarmView(
    long Id, string Kind, AlarmSeverity Severity, AlarmState State, string? CameraId, string? OwnerId, string Text,
    DateTimeOffset OccurredAt, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt,
    string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, string? ClosedBy, DateTimeOffset? ClosedAt, string? Outcome,
    IReadOnlyList<AlarmCommentView> Comments, int Count = 1, DateTimeOffset? LastOccurredAt = null)
{
    public static AlarmView Of(Alarm a) => new(
        a.Id, a.Kind, a.Severity, a.State, a.CameraId, a.OwnerId, a.Text,
        Utc(a.OccurredUtcTicks), Utc(a.RaisedUtcTicks), Utc(a.ClearedUtcTicks),
        a.AcknowledgedBy, Utc(a.AcknowledgedUtcTicks), a.ClosedBy, Utc(a.ClosedUtcTicks), a.Outcome,
        a.Comments.OrderBy(c => c.AtUtcTicks).Select(c => new AlarmCommentView(c.Author, c.Text, Utc(c.AtUtcTicks))).ToList(),
        a.Repeats, Utc(a.LastOccurredUtcTicks));

    internal static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);

    internal static DateTimeOffset? Utc(long? ticks) => ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
}

/// <summary>A comment on an alarm.</summary>
public sealed record AlarmCommentView(string Author, string Text, DateTimeOffset At);

/// <summary>A camera event as the API returns it.</summary>
public sealed record CameraEventView(long Id, string CameraId, CameraEventCategory Category, string Topic, string? Operation, bool? Active, DateTimeOffset OccurredAt, string RawXml)
{
    public static CameraEventView Of(CameraEventRecord e) =>
        new(e.Id, e.CameraId, e.Category, e.Topic, e.Operation, e.Active, AlarmView.Utc(e.OccurredUtcTicks), e.RawXml);
}

/// <summary>A bookmark as the API returns it.</summary>
public sealed record BookmarkView(long Id, string CameraId, DateTimeOffset At, DateTimeOffset To, string Note, string CreatedBy, DateTimeOffset CreatedAt)
{
    public static BookmarkView Of(Bookmark b) =>
        new(b.Id, b.CameraId, AlarmView.Utc(b.AtUtcTicks), AlarmView.Utc(b.ToUtcTicks), b.Note, b.CreatedBy, AlarmView.Utc(b.CreatedUtcTicks));
}
