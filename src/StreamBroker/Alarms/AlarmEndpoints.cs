using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Limits;
using CameraHub.StreamBroker.Onvif.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>The alarm queue, a camera's events, bookmarks and the event intake switch (DESIGN.md §9 and §11).</summary>
public static class AlarmEndpoints
{
    /// <summary>Most rows one call returns.</summary>
    public const int MaxRows = 500;

    /// <summary>Body of close (outcome required) and comment (text required).</summary>
    public sealed record AlarmTextRequest(string? Outcome, string? Text);

    /// <summary>Body of POST /api/cameras/{id}/bookmarks.</summary>
    public sealed record BookmarkRequest(DateTimeOffset? At, DateTimeOffset? To, string? Note);

    /// <summary>Body of PUT /api/cameras/{id}/event-intake.</summary>
    public sealed record EventIntakeRequest(bool Enabled, CameraEventCategory[]? AlarmCategories);

    /// <summary>Answer of /api/cameras/{id}/event-intake: the setting and, while intake runs, its state.</summary>
    public sealed record EventIntakeView(bool Enabled, CameraEventCategory[]? AlarmCategories, EventIntakeStatus? Status);

    /// <summary>Maps every route; the host requires a signed-in user on all of them.</summary>
    public static RouteGroupBuilder MapAlarmEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).WithTags("Alarms").WithBodyLimit(BodyLimit.Form);
        group.MapGet("/api/alarms", ListAsync).WithName("ListAlarms")
            .WithSummary("The alarm queue the caller may see, most severe and oldest first; filters state, severity, camera, owner, from, to.");
        group.MapPost("/api/alarms/{id:long}/acknowledge", (long id, AlarmStore store, AlarmVisibility visibility, HttpContext http, CancellationToken ct) =>
            StepAsync(id, AuditAction.AlarmAcknowledged, null, store, visibility, http, ct)).WithName("AcknowledgeAlarm");
        group.MapPost("/api/alarms/{id:long}/close", (long id, AlarmTextRequest body, AlarmStore store, AlarmVisibility visibility, HttpContext http, CancellationToken ct) =>
            StepAsync(id, AuditAction.AlarmClosed, body.Outcome, store, visibility, http, ct)).WithName("CloseAlarm");
        group.MapPost("/api/alarms/{id:long}/comments", (long id, AlarmTextRequest body, AlarmStore store, AlarmVisibility visibility, HttpContext http, CancellationToken ct) =>
            StepAsync(id, AuditAction.AlarmCommented, body.Text, store, visibility, http, ct)).WithName("CommentAlarm");
        group.MapGet("/api/cameras/{id}/events", EventsAsync).WithName("ListCameraEvents");
        group.MapGet("/api/cameras/{id}/bookmarks", BookmarksAsync).WithName("ListBookmarks");
        group.MapPost("/api/cameras/{id}/bookmarks", AddBookmarkAsync).WithName("AddBookmark");
        group.MapGet("/api/cameras/{id}/event-intake", IntakeAsync).WithName("GetEventIntake");
        group.MapPut("/api/cameras/{id}/event-intake", SetIntakeAsync).WithName("SetEventIntake")
            .WithSummary("Turns ONVIF event intake on or off for a camera (manage right); optionally which categories raise alarms.");
        return group;
    }

    private static async Task<IResult> ListAsync(
        AlarmState? state, AlarmSeverity? severity, string? camera, string? owner, DateTimeOffset? from, DateTimeOffset? to,
        AlarmsDbContext db, AlarmVisibility visibility, HttpContext http, CancellationToken ct)
    {
        var scope = await visibility.ForAsync(http.User, ct);
        var query = db.Alarms.AsNoTracking().Include(a => a.Comments).AsQueryable();
        if (state is { } s)
        {
            query = query.Where(a => a.State == s);
        }

        if (severity is { } v)
        {
            query = query.Where(a => a.Severity == v);
        }

        if (camera is not null)
        {
            query = query.Where(a => a.CameraId == camera);
        }

        if (owner is not null)
        {
            query = query.Where(a => a.OwnerId == owner);
        }

        if (from is { } f)
        {
            query = query.Where(a => a.OccurredUtcTicks >= f.UtcTicks);
        }

        if (to is { } t)
        {
            query = query.Where(a => a.OccurredUtcTicks < t.UtcTicks);
        }

        query = query.Where(scope.Visible);

        var rows = await query.OrderByDescending(a => a.Severity).ThenBy(a => a.RaisedUtcTicks).Take(MaxRows).ToListAsync(ct);
        return Results.Ok(rows.Select(AlarmView.Of).ToList());
    }

    private static async Task<IResult> StepAsync(
        long id, AuditAction step, string? text, AlarmStore store, AlarmVisibility visibility, HttpContext http, CancellationToken ct)
    {
        if (step != AuditAction.AlarmAcknowledged && string.IsNullOrWhiteSpace(text))
        {
            return Results.Problem(statusCode: 400, title: "Text missing",
                detail: step == AuditAction.AlarmClosed ? "closing an alarm needs an outcome, e.g. {\"outcome\":\"false alarm: cleaner in the corridor\"}" : "a comment needs text, e.g. {\"text\":\"guard on the way\"}");
        }

        if (text is { Length: > 1000 })
        {
            return Results.Problem(statusCode: 400, title: "Text too long", detail: "at most 1000 characters");
        }

        var scope = await visibility.ForAsync(http.User, ct);
        var (result, alarm) = await store.StepAsync(id, step, AccessGate.Actor(http), text?.Trim(), scope.Sees, AccessGate.RemoteAddress(http), ct);
        return result switch
        {
            AlarmStore.StepResult.Done => Results.Ok(alarm),
            AlarmStore.StepResult.AlreadyClosed => Results.Problem(statusCode: 409, title: "Alarm closed", detail: $"alarm {id} is closed ({alarm!.Outcome}); nothing more can be done to it"),
            _ => Results.Problem(statusCode: 404, title: "No such alarm", detail: $"there is no alarm {id} you may see"),
        };
    }

    private static async Task<IResult> EventsAsync(
        string id, DateTimeOffset? from, DateTimeOffset? to, AlarmsDbContext db, AlarmVisibility visibility, AccessGate gate, HttpContext http, CancellationToken ct)
    {
        if (await RefuseUnlessSeenAsync(id, visibility, gate, http, ct) is { } refusal)
        {
            return refusal;
        }

        var query = db.CameraEvents.AsNoTracking().Where(e => e.CameraId == id);
        if (from is { } f)
        {
            query = query.Where(e => e.OccurredUtcTicks >= f.UtcTicks);
        }

        if (to is { } t)
        {
            query = query.Where(e => e.OccurredUtcTicks < t.UtcTicks);
        }

        var rows = await query.OrderByDescending(e => e.OccurredUtcTicks).Take(MaxRows).ToListAsync(ct);
        return Results.Ok(rows.Select(CameraEventView.Of).ToList());
    }

    private static async Task<IResult> BookmarksAsync(
        string id, DateTimeOffset? from, DateTimeOffset? to, AlarmsDbContext db, AlarmVisibility visibility, AccessGate gate, HttpContext http, CancellationToken ct)
    {
        if (await RefuseUnlessSeenAsync(id, visibility, gate, http, ct) is { } refusal)
        {
            return refusal;
        }

        var fromTicks = from?.UtcTicks ?? 0;
        var toTicks = to?.UtcTicks ?? long.MaxValue;
        var rows = await db.Bookmarks.AsNoTracking().Where(b => b.CameraId == id && b.ToUtcTicks >= fromTicks && b.AtUtcTicks < toTicks)
            .OrderBy(b => b.AtUtcTicks).Take(MaxRows).ToListAsync(ct);
        return Results.Ok(rows.Select(BookmarkView.Of).ToList());
    }

    private static async Task<IResult> AddBookmarkAsync(
        string id, BookmarkRequest body, AlarmsDbContext db, AccessGate gate, IAuditLog audit, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        // A bookmark is a note on recordings: it takes the playback right on the camera.
        if (await gate.RefuseUnlessAsync(http, CameraRight.Playback, id, ct) is { } refusal)
        {
            return refusal;
        }

        if (body.At is not { } at || string.IsNullOrWhiteSpace(body.Note) || body.Note.Length > 2000 || (body.To is { } end && end < at))
        {
            return Results.Problem(statusCode: 400, title: "Bad bookmark",
                detail: "a bookmark needs at (ISO 8601 UTC), a note of 1 to 2000 characters, and to (optional) not before at");
        }

        var bookmark = new Bookmark
        {
            CameraId = id, AtUtcTicks = at.UtcTicks, ToUtcTicks = (body.To ?? at).UtcTicks, Note = body.Note.Trim(),
            CreatedBy = AccessGate.Actor(http), CreatedUtcTicks = time.GetUtcNow().UtcTicks,
        };
        db.Bookmarks.Add(bookmark);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.BookmarkCreated, AuditOutcome.Allowed, bookmark.CreatedBy, id,
            RemoteAddress: AccessGate.RemoteAddress(http), Details: $"{at:O}: {bookmark.Note}", SubjectType: "bookmark",
            SubjectId: bookmark.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
        return Results.Created($"/api/cameras/{id}/bookmarks/{bookmark.Id}", BookmarkView.Of(bookmark));
    }

    private static async Task<IResult> IntakeAsync(string id, AlarmsDbContext db, AccessGate gate, EventIntake intake, HttpContext http, CancellationToken ct)
    {
        if (await gate.RefuseUnlessAsync(http, CameraRight.Manage, id, ct) is { } refusal)
        {
            return refusal;
        }

        var setting = await db.EventIntake.AsNoTracking().FirstOrDefaultAsync(s => s.CameraId == id, ct);
        return Results.Ok(new EventIntakeView(setting?.Enabled ?? false, setting?.AlarmCategories, intake.StatusOf(id)));
    }

    private static async Task<IResult> SetIntakeAsync(
        string id, EventIntakeRequest body, AlarmsDbContext db, AccessGate gate, IAuditLog audit, TimeProvider time, EventIntakeSignal signal,
        HttpContext http, CancellationToken ct)
    {
        if (await gate.RefuseUnlessAsync(http, CameraRight.Manage, id, ct) is { } refusal)
        {
            return refusal;
        }

        var setting = await db.EventIntake.FirstOrDefaultAsync(s => s.CameraId == id, ct);
        if (setting is null)
        {
            setting = new EventIntakeSetting { CameraId = id, ChangedBy = AccessGate.Actor(http) };
            db.EventIntake.Add(setting);
        }

        setting.Enabled = body.Enabled;
        setting.AlarmCategories = body.AlarmCategories;
        setting.ChangedBy = AccessGate.Actor(http);
        setting.ChangedUtcTicks = time.GetUtcNow().UtcTicks;
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.EventIntakeChanged, AuditOutcome.Allowed, setting.ChangedBy, id,
            RemoteAddress: AccessGate.RemoteAddress(http),
            Details: $"event intake {(body.Enabled ? "on" : "off")}; alarms for {(body.AlarmCategories is null ? "the category defaults" : string.Join(", ", body.AlarmCategories))}"), ct);
        signal.Changed();
        return Results.Ok(new EventIntakeView(setting.Enabled, setting.AlarmCategories, null));
    }

    private static async Task<IResult?> RefuseUnlessSeenAsync(string id, AlarmVisibility visibility, AccessGate gate, HttpContext http, CancellationToken ct)
    {
        var scope = await visibility.ForAsync(http.User, ct);
        return scope.SeesCamera(id)
            ? null
            : await gate.RefuseAsync(http, AccessDecision.Forbid($"you hold no right on camera '{id}'"), CameraRight.None, id, null, ct);
    }
}
