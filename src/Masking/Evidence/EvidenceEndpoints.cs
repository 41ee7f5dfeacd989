using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Limits;
using CameraHub.Masking.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CameraHub.Masking.Evidence;

/// <summary>What the police liaison sends to ask for footage.</summary>
/// <remarks><c>Unmasked</c>: the masked cameras exported without their mask, each under an approved lift of the requester covering the window.</remarks>
public sealed record EvidenceInput(string? CaseNumber, List<string>? CameraIds, DateTime? From, DateTime? To, string? Reason, bool? Unmasked = null);

/// <summary>Why a request is rejected.</summary>
public sealed record RejectionInput(string? Reason);

/// <summary>An evidence request as the API shows it.</summary>
public sealed record EvidenceView(
    Guid Id, string CaseNumber, string RequestedBy, IReadOnlyList<string> CameraIds, DateTime From, DateTime To, string Reason,
    string Status, string? DecidedBy, DateTime? DecidedAt, string? RejectionReason, int Progress, string? Stage, string? Error,
    string? PackageSha256, long? PackageBytes, DateTime CreatedAt, DateTime? ReadyAt, DateTime? ExpiresAt)
{
    public static EvidenceView Of(EvidenceRequest r) => new(
        r.Id, r.CaseNumber, r.RequestedBy, r.CameraIds, r.FromUtc, r.ToUtc, r.Reason, r.Status.ToString(), r.DecidedBy, r.DecidedAtUtc,
        r.RejectionReason, r.Progress, r.Stage, r.Error, r.PackageSha256, r.PackageBytes, r.CreatedAtUtc, r.ReadyAtUtc, r.ExpiresAtUtc);
}

/// <summary>Routes under /api/evidence: request, approve (four eyes), reject, follow, download.</summary>
public static class EvidenceEndpoints
{
    public static RouteGroupBuilder MapEvidenceEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/evidence").WithTags("Evidence").WithBodyLimit(BodyLimit.Form);
        group.MapPost("/", RequestAsync).WithSummary("Asks for footage: {caseNumber, cameraIds, from, to, reason}; places a legal hold at once.");
        group.MapGet("/", ListAsync).WithSummary("Requests the user made, may approve, or (DPO, administrators) all.");
        group.MapGet("/{id:guid}", GetAsync).WithSummary("Status, stage and progress.");
        group.MapPost("/{id:guid}/approve", ApproveAsync).WithSummary("Approves, by someone else than the requester with approve-export rights on every camera.");
        group.MapPost("/{id:guid}/reject", RejectAsync).WithSummary("Rejects with a reason; the legal holds end.");
        group.MapGet("/{id:guid}/package", DownloadAsync).WithSummary("The signed zip, for the requester, once ready; each download is audited.");
        group.MapGet("/{id:guid}/verification", VerifyAsync)
            .WithSummary("Checks the stored package as a recipient would (signature, key, every file's SHA-256), for the requester, the approver and the DPO.");
        group.MapGet("/signing-key", (EvidenceSigningKey key) => Results.Ok(new { publicKeyPem = key.PublicKeyPem, fingerprint = key.Fingerprint }))
            .AllowAnonymous().WithSummary("The installation's public key and its fingerprint, for recipients to compare.");
        return group;
    }

    private static async Task<IResult> RequestAsync(
        EvidenceInput input, HttpContext http, MaskingDbContext db, ICameraDirectory cameras, AccessGate gate, IAuditLog audit,
        IEvidenceFootage footage, IOptions<EvidenceOptions> options, TimeProvider time, IPictureFeeds pictures, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!CaseNumber.IsValid(input.CaseNumber))
        {
            errors["caseNumber"] = ["a police case number like 5000-K123456-26 (unit, K and number, year) is required"];
        }

        var ids = input.CameraIds?.Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (ids.Count == 0)
        {
            errors["cameraIds"] = ["at least one camera is required"];
        }

        if (input.From is null || input.To is null || input.To <= input.From)
        {
            errors["to"] = ["from and to (UTC) are required and to must be after from"];
        }
        else if (input.To - input.From > options.Value.MaxWindow)
        {
            errors["to"] = [$"a request may cover at most {options.Value.MaxWindow.TotalHours} hours; make several requests"];
        }

        if (string.IsNullOrWhiteSpace(input.Reason))
        {
            errors["reason"] = ["a reason is required"];
        }

        FieldLimits.Check((field, message) => errors[field] = [message], ("reason", input.Reason, FieldLimits.Purpose));
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The evidence request was not created.");
        }

        foreach (var id in ids)
        {
            if (await gate.RefuseUnlessAsync(http, CameraRight.Export, id, ct) is { } refusal)
            {
                return refusal;
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        var from = input.From!.Value.ToUniversalTime();
        var to = input.To!.Value.ToUniversalTime();
        IReadOnlyList<EvidenceUnmasking> unmaskings = [];
        if (input.Unmasked == true)
        {
            var (lifted, refused) = await UnmaskedEvidence.DecideAsync(AccessGate.Actor(http), ids, from, to, cameras, pictures, ct);
            if (refused is not null)
            {
                return await gate.RefuseAsync(http, refused, CameraRight.Export, ids[0], null, ct);
            }

            unmaskings = lifted;
        }

        var request = new EvidenceRequest
        {
            Id = Guid.NewGuid(), CaseNumber = input.CaseNumber!, RequestedBy = AccessGate.Actor(http), CameraIds = ids, FromUtc = from, ToUtc = to,
            Reason = input.Reason!.Trim(), Status = EvidenceStatus.Requested, CreatedAtUtc = now, Stage = "awaiting approval",
        };
        // The hold comes first: from this moment retention cannot delete the footage, whatever happens to the request.
        foreach (var id in ids)
        {
            request.HoldIds.Add(await footage.PlaceHoldAsync(id, from, to, request.CaseNumber, now + options.Value.PackageLifetime + options.Value.PackageLifetime, request.RequestedBy, ct));
            var lift = unmaskings.FirstOrDefault(u => u.CameraId == id)?.MaskLiftId;
            await audit.AppendAsync(new AuditEvent(AuditAction.EvidenceRequested, AuditOutcome.Allowed, request.RequestedBy, id, request.CaseNumber,
                AccessGate.RemoteAddress(http), $"{from:O}–{to:O}{(lift is null ? string.Empty : $", UNMASKED under mask lift {lift}")}: {request.Reason}", "evidence", request.Id.ToString()), ct);
        }

        db.EvidenceRequests.Add(request);
        foreach (var unmasking in unmaskings)
        {
            unmasking.EvidenceRequestId = request.Id;
            db.EvidenceUnmaskings.Add(unmasking);
        }

        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/evidence/{request.Id}", EvidenceView.Of(request));
    }

    private static async Task<IResult> ListAsync(HttpContext http, MaskingDbContext db, IAccessPolicy policy, CancellationToken ct)
    {
        var all = await db.EvidenceRequests.AsNoTracking().OrderByDescending(r => r.CreatedAtUtc).Take(500).ToListAsync(ct);
        if (http.User.IsInRole(HubRoles.DataProtectionOfficer) || http.User.IsInRole(HubRoles.Administrator))
        {
            return Results.Ok(all.Select(EvidenceView.Of));
        }

        var visible = new List<EvidenceView>();
        foreach (var r in all)
        {
            if (r.RequestedBy == http.User.Identity?.Name || await MayDecideAsync(http, policy, r, ct))
            {
                visible.Add(EvidenceView.Of(r));
            }
        }

        return Results.Ok(visible);
    }

    private static async Task<bool> MayDecideAsync(HttpContext http, IAccessPolicy policy, EvidenceRequest r, CancellationToken ct)
    {
        foreach (var camera in r.CameraIds)
        {
            if (!(await policy.DecideAsync(http.User, CameraRight.ApproveExport, camera, ct)).Allowed)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, MaskingDbContext db, IAccessPolicy policy, CancellationToken ct)
    {
        var r = await db.EvidenceRequests.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (r is null || !(r.RequestedBy == http.User.Identity?.Name || http.User.IsInRole(HubRoles.DataProtectionOfficer)
            || http.User.IsInRole(HubRoles.Administrator) || await MayDecideAsync(http, policy, r, ct)))
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"no evidence request {id} that you may see");
        }

        return Results.Ok(EvidenceView.Of(r));
    }

    private static async Task<IResult> ApproveAsync(
        Guid id, HttpContext http, MaskingDbContext db, AccessGate gate, IAuditLog audit, EvidenceProducer producer, TimeProvider time, CancellationToken ct) =>
        await DecideAsync(id, http, db, gate, audit, time, approve: true, reason: null, producer, ct);

    private static async Task<IResult> RejectAsync(
        Guid id, RejectionInput input, HttpContext http, MaskingDbContext db, AccessGate gate, IAuditLog audit, IEvidenceFootage footage,
        TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.Reason))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["say why the request is rejected"] });
        }

        if (FieldLimits.Problems(("reason", input.Reason, FieldLimits.Purpose)) is { } tooLong)
        {
            return Results.ValidationProblem(tooLong);
        }

        var result = await DecideAsync(id, http, db, gate, audit, time, approve: false, input.Reason, null, ct);
        var request = await db.EvidenceRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (request?.Status == EvidenceStatus.Rejected)
        {
            foreach (var hold in request.HoldIds)
            {
                await footage.ReleaseHoldAsync(hold, AccessGate.Actor(http), ct);
            }
        }

        return result;
    }

    private static async Task<IResult> DecideAsync(
        Guid id, HttpContext http, MaskingDbContext db, AccessGate gate, IAuditLog audit, TimeProvider time, bool approve, string? reason,
        EvidenceProducer? producer, CancellationToken ct)
    {
        var request = await db.EvidenceRequests.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (request is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"no evidence request {id}");
        }

        var actor = AccessGate.Actor(http);
        foreach (var camera in request.CameraIds)
        {
            if (await gate.RefuseUnlessAsync(http, CameraRight.ApproveExport, camera, ct) is { } refusal)
            {
                return refusal;
            }
        }

        if (string.Equals(actor, request.RequestedBy, StringComparison.Ordinal))
        {
            await audit.AppendAsync(new AuditEvent(approve ? AuditAction.EvidenceApproved : AuditAction.EvidenceRejected, AuditOutcome.Denied, actor,
                Purpose: request.CaseNumber, RemoteAddress: AccessGate.RemoteAddress(http), Details: "four-eyes rule: the requester cannot decide their own request",
                SubjectType: "evidence", SubjectId: id.ToString()), ct);
            return Results.Problem(statusCode: 403, title: "Not allowed", detail: "the requester cannot approve or reject their own request (four-eyes rule)");
        }

        if (request.Status != EvidenceStatus.Requested)
        {
            return Results.Problem(statusCode: 409, title: "Already decided", detail: $"the request is {request.Status}");
        }

        request.Status = approve ? EvidenceStatus.Approved : EvidenceStatus.Rejected;
        request.DecidedBy = actor;
        request.DecidedAtUtc = time.GetUtcNow().UtcDateTime;
        request.RejectionReason = reason;
        request.Stage = approve ? "queued" : "rejected";
        await db.SaveChangesAsync(ct);
        foreach (var camera in request.CameraIds)
        {
            await audit.AppendAsync(new AuditEvent(approve ? AuditAction.EvidenceApproved : AuditAction.EvidenceRejected, AuditOutcome.Allowed, actor, camera,
                request.CaseNumber, AccessGate.RemoteAddress(http), reason, "evidence", id.ToString()), ct);
        }

        producer?.Nudge();
        return Results.Ok(EvidenceView.Of(request));
    }

    private static async Task<IResult> DownloadAsync(
        Guid id, HttpContext http, MaskingDbContext db, IAuditLog audit, EvidenceProducer producer, CancellationToken ct)
    {
        var request = await db.EvidenceRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        var actor = AccessGate.Actor(http);
        if (request is null || request.RequestedBy != actor)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.AccessDenied, AuditOutcome.Denied, actor, RemoteAddress: AccessGate.RemoteAddress(http),
                Details: $"download of evidence {id} refused: only the requester downloads", SubjectType: "evidence", SubjectId: id.ToString()), ct);
            return Results.Problem(statusCode: 403, title: "Not allowed", detail: "only the requester downloads an evidence package");
        }

        if (request.Status != EvidenceStatus.Ready || request.PackageFile is null)
        {
            return Results.Problem(statusCode: 409, title: "Not ready", detail: $"the request is {request.Status}{(request.Error is null ? string.Empty : $": {request.Error}")}");
        }

        foreach (var camera in request.CameraIds)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.EvidenceDownloaded, AuditOutcome.Allowed, actor, camera, request.CaseNumber,
                AccessGate.RemoteAddress(http), $"package SHA-256 {request.PackageSha256}", "evidence", id.ToString()), ct);
        }

        var path = Path.Combine(producer.ExportsDirectory(), request.PackageFile);
        return Results.File(path, "application/zip", EvidencePackage.DownloadName(request.CaseNumber));
    }

    private static async Task<IResult> VerifyAsync(
        Guid id, HttpContext http, MaskingDbContext db, EvidenceProducer producer, EvidenceSigningKey key, CancellationToken ct)
    {
        var request = await db.EvidenceRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        var actor = AccessGate.Actor(http);
        var entitled = request is not null && (request.RequestedBy == actor || request.DecidedBy == actor
            || http.User.IsInRole(HubRoles.DataProtectionOfficer) || http.User.IsInRole(HubRoles.Administrator));
        if (!entitled)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"no evidence request {id} of yours");
        }

        if (request!.Status != EvidenceStatus.Ready || request.PackageFile is null)
        {
            return Results.Problem(statusCode: 409, title: "Not ready", detail: $"the request is {request.Status}");
        }

        var path = Path.Combine(producer.ExportsDirectory(), request.PackageFile);
        // Reading and hashing a large zip is slow, synchronous work: keep it off the request thread.
        var verification = await Task.Run(() => EvidenceVerifier.Verify(path, key.Fingerprint), ct);
        return Results.Ok(verification);
    }
}
