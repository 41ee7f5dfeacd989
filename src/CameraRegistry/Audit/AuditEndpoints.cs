using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.CameraRegistry.Audit;

/// <summary>An audit entry as the API shows it.</summary>
public sealed record AuditEntryView(
    long Sequence, DateTime At, string Actor, string Action, string Outcome, string? CameraId, string? Purpose,
    string? RemoteAddress, string? Details, string? SubjectType, string? SubjectId, string Hash)
{
    public static AuditEntryView From(AuditEntry e) => new(
        e.Sequence, e.AtUtc, e.Actor, e.Action.ToString(), e.Outcome.ToString(), e.CameraId, e.Purpose, e.RemoteAddress,
        e.Details, e.SubjectType, e.SubjectId, e.Hash);
}

/// <summary>A page of audit entries.</summary>
public sealed record AuditPage(int Total, int Page, int PageSize, IReadOnlyList<AuditEntryView> Items);

/// <summary>Who viewed, played back or exported a camera's footage in a window, and why.</summary>
public sealed record DataSubjectReport(DateTime From, DateTime To, IReadOnlyList<string> CameraIds, IReadOnlyList<AuditEntryView> Accesses);

/// <summary>Routes under /api/audit for the data-protection officer.</summary>
public static class AuditEndpoints
{
    private static readonly AuditAction[] FootageActions =
    [
        AuditAction.LiveViewStarted, AuditAction.LiveViewEnded, AuditAction.LiveViewRevoked, AuditAction.PlaybackStarted,
        AuditAction.PlaybackEnded, AuditAction.EvidenceRequested, AuditAction.EvidenceApproved, AuditAction.EvidenceDownloaded,
        AuditAction.PartnerSessionStarted, AuditAction.PartnerSessionEnded,
    ];

    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/audit").WithTags("Audit");
        group.MapGet("/", QueryAsync).Produces<AuditPage>()
            .WithSummary("Audit entries filtered by actor, camera, action, from, to; paged; ?format=csv for all matches.");
        group.MapGet("/verify", VerifyAsync).Produces<AuditVerification>()
            .WithSummary("Recomputes the hash chain and holds it against every signed checkpoint: {valid, entries, firstBrokenSequence, problems, newestCheckpoint…}.");
        group.MapGet("/checkpoint", CheckpointAsync).Produces<AuditCheckpointFile>()
            .WithSummary("Signs a checkpoint of the chain now and returns it as a file for the DPO to keep outside the hub (verify-audit --checkpoint).");
        group.MapGet("/data-subject", DataSubjectAsync).Produces<DataSubjectReport>()
            .WithSummary("Everyone who viewed, played back or exported footage of a camera or site in a window, and why.");
        return group;
    }

    private static bool SeesAll(HttpContext http) =>
        http.User.IsInRole(HubRoles.DataProtectionOfficer) || http.User.IsInRole(HubRoles.Administrator);

    private static async Task<IResult> QueryAsync(
        HttpContext http, AccessDbContext db, AccessGate gate, IAuditLog audit, string? actor, string? camera, string? action,
        DateTime? from, DateTime? to, string? format, int page = 1, int pageSize = 100, CancellationToken ct = default)
    {
        if (!SeesAll(http))
        {
            if (camera is null)
            {
                return await gate.RefuseAsync(http, AccessDecision.Forbid("only the DPO and administrators see the whole log; others must name a camera"), CameraRight.Audit, null, null, ct);
            }

            if (await gate.RefuseUnlessAsync(http, CameraRight.Audit, camera, ct) is { } refusal)
            {
                return refusal;
            }
        }

        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrEmpty(actor))
        {
            query = query.Where(e => e.Actor == actor);
        }

        if (!string.IsNullOrEmpty(camera))
        {
            query = query.Where(e => e.CameraId == camera);
        }

        if (!string.IsNullOrEmpty(action))
        {
            if (!Enum.TryParse<AuditAction>(action, ignoreCase: true, out var parsed))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["action"] = [$"unknown action '{action}'; known: {string.Join(", ", Enum.GetNames<AuditAction>())}"] });
            }

            query = query.Where(e => e.Action == parsed);
        }

        if (from is { } f)
        {
            var ticks = f.ToUniversalTime().Ticks;
            query = query.Where(e => e.AtTicks >= ticks);
        }

        if (to is { } t)
        {
            var ticks = t.ToUniversalTime().Ticks;
            query = query.Where(e => e.AtTicks < ticks);
        }

        var exporting = format == "csv";
        await audit.AppendAsync(new AuditEvent(
            exporting ? AuditAction.AuditExported : AuditAction.AuditQueried, AuditOutcome.Allowed, AccessGate.Actor(http), camera,
            RemoteAddress: AccessGate.RemoteAddress(http), Details: $"actor={actor} camera={camera} action={action} from={from:O} to={to:O}"), ct);
        if (exporting)
        {
            var all = await query.OrderBy(e => e.Sequence).ToListAsync(ct);
            return SafeCsv.File("audit.csv", all.Select(AuditEntryView.From));
        }

        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 1000);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(e => e.Sequence).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return Results.Ok(new AuditPage(total, page, pageSize, [.. items.Select(AuditEntryView.From)]));
    }

    private static async Task<IResult> VerifyAsync(
        HttpContext http, AccessDbContext db, AccessGate gate, AuditCheckpointKey key, AuditCheckpointer checkpointer,
        IOptions<AuditCheckpointOptions> options, AuditChainStatus status, TimeProvider time, CancellationToken ct)
    {
        if (!SeesAll(http))
        {
            return await gate.RefuseAsync(http, AccessDecision.Forbid("only the DPO and administrators verify the audit log"), CameraRight.Audit, null, null, ct);
        }

        // The hub's own newest checkpoint is in memory: removing checkpoints from the file does not remove it.
        var trust = new AuditTrust(key.PublicKeyPem, checkpointer.Newest is { } newest ? [newest] : [], options.Value, time.GetUtcNow().UtcDateTime);
        var verification = await AuditChainVerifier.VerifyAsync(db, trust, ct);
        status.Report(new AuditChainVerdict(time.GetUtcNow(), verification.Valid, verification.Problem));
        return Results.Ok(verification);
    }

    private static async Task<IResult> CheckpointAsync(
        HttpContext http, AccessGate gate, AuditCheckpointKey key, AuditCheckpointer checkpointer, IAuditLog audit, CancellationToken ct)
    {
        if (!SeesAll(http))
        {
            return await gate.RefuseAsync(http, AccessDecision.Forbid("only the DPO and administrators take audit checkpoints"), CameraRight.Audit, null, null, ct);
        }

        await audit.AppendAsync(new AuditEvent(AuditAction.AuditQueried, AuditOutcome.Allowed, AccessGate.Actor(http),
            RemoteAddress: AccessGate.RemoteAddress(http), Details: "checkpoint file taken"), ct);
        AuditCheckpoint checkpoint;
        try
        {
            checkpoint = await checkpointer.CheckpointNowAsync(ct);
        }
        catch (InvalidOperationException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The audit chain was tampered with", detail: ex.Message);
        }

        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-checkpoint-{checkpoint.Sequence}.json\"";
        return Results.Ok(AuditCheckpointFile.From(checkpoint, key.PublicKeyPem));
    }

    private static async Task<IResult> DataSubjectAsync(
        HttpContext http, AccessDbContext db, RegistryDbContext registry, AccessGate gate, IAuditLog audit,
        string? camera, string? site, DateTime from, DateTime to, CancellationToken ct)
    {
        if (!SeesAll(http))
        {
            return await gate.RefuseAsync(http, AccessDecision.Forbid("the data-subject report is for the DPO"), CameraRight.Audit, camera, null, ct);
        }

        if (camera is null == site is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["camera"] = ["give either camera or site"] });
        }

        var cameraIds = camera is not null ? [camera] : await registry.Cameras.Where(c => c.SiteId == site).Select(c => c.Id).ToListAsync(ct);
        long fromTicks = from.ToUniversalTime().Ticks, toTicks = to.ToUniversalTime().Ticks;
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.CameraId != null && cameraIds.Contains(e.CameraId) && e.AtTicks >= fromTicks && e.AtTicks < toTicks && FootageActions.Contains(e.Action))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        await audit.AppendAsync(new AuditEvent(
            AuditAction.AuditQueried, AuditOutcome.Allowed, AccessGate.Actor(http), camera, "data-subject request",
            AccessGate.RemoteAddress(http), $"site={site} from={from:O} to={to:O}"), ct);
        return Results.Ok(new DataSubjectReport(from.ToUniversalTime(), to.ToUniversalTime(), cameraIds, [.. entries.Select(AuditEntryView.From)]));
    }
}
