using System.Security.Cryptography;
using System.Text;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Limits;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Schedules;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Sharing;

/// <summary>What a client sends to create a sharing agreement.</summary>
public sealed record SharingAgreementInput(
    string? PartnerId, List<string>? CameraIds, string? OwnerId, CameraCategory? Category, string? Purpose, string? LegalBasisReference,
    DateTime? ValidFrom, DateTime? ValidUntil, string? AllowedHours, SharingProtocols? Protocols);

/// <summary>Issued credentials, shown once: only hashes are kept.</summary>
public sealed record PartnerCredentialsIssued(string PartnerId, string UserName, string Password, string ApiKey, string Realm, DateTime IssuedAtUtc);

/// <summary>Routes /api/sharing-agreements (list, create, withdraw) and /api/partners/{id}/credentials (issue, revoke).</summary>
public static class SharingEndpoints
{
    public const string DigestRealm = "CameraHub";

    public static RouteGroupBuilder MapSharingEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Sharing").WithBodyLimit(BodyLimit.Form);
        group.MapGet("/sharing-agreements", ListAsync).WithSummary("Agreements: all for administrators and the DPO, their organisation's for camera owners.");
        group.MapPost("/sharing-agreements", CreateAsync).WithSummary("Creates an agreement (administrators; camera owners for their own organisation's cameras).");
        group.MapDelete("/sharing-agreements/{id:guid}", WithdrawAsync).WithSummary("Withdraws an agreement; open partner sessions it allowed end within seconds.");
        group.MapPost("/partners/{id}/credentials", IssueCredentialsAsync).WithSummary("Issues a partner's RTSP user/password and HLS API key (shown once; revokes the previous ones).");
        group.MapDelete("/partners/{id}/credentials", RevokeCredentialsAsync).WithSummary("Revokes a partner's credentials; its open sessions end within seconds.");
        return group;
    }

    private static async Task<IResult> ListAsync(HttpContext http, AccessDbContext db, RegistryDbContext registry, bool? includeRevoked, CancellationToken ct)
    {
        var query = db.SharingAgreements.AsNoTracking();
        if (includeRevoked != true)
        {
            query = query.Where(a => a.RevokedAtUtc == null);
        }

        var agreements = await query.OrderBy(a => a.CreatedAtUtc).ToListAsync(ct);
        var user = http.User;
        if (user.IsInRole(HubRoles.Administrator) || user.IsInRole(HubRoles.DataProtectionOfficer))
        {
            return Results.Ok(agreements);
        }

        // Camera owners see the agreements on their organisation's cameras (by owner scope or by camera).
        var org = user.IsInRole(HubRoles.CameraOwner) ? user.FindFirst(HubRoles.OrganisationClaim)?.Value : null;
        if (org is null)
        {
            return Results.Ok(Array.Empty<SharingAgreement>());
        }

        var own = (await registry.Cameras.AsNoTracking().Where(c => c.OwnerId == org).Select(c => c.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        return Results.Ok(agreements.Where(a => a.OwnerId == org || a.CameraIds.Any(own.Contains)).ToList());
    }

    private static async Task<IResult> CreateAsync(
        SharingAgreementInput input, HttpContext http, AccessDbContext db, RegistryDbContext registry, ICameraDirectory cameras,
        AccessPolicy policy, AccessGate gate, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var partner = input.PartnerId is null ? null : await registry.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == input.PartnerId, ct);
        if (partner is null)
        {
            errors["partnerId"] = [$"partner organisation '{input.PartnerId}' is not in the registry"];
        }
        else if (partner.Kind is not (OrganisationKind.Partner or OrganisationKind.Police))
        {
            errors["partnerId"] = [$"organisation '{partner.Id}' is a {partner.Kind}, not a partner or the police"];
        }

        var cameraIds = input.CameraIds?.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal).ToList() ?? [];
        var owners = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in cameraIds)
        {
            var camera = await cameras.FindAsync(id, ct);
            if (camera is null)
            {
                errors[$"cameraIds"] = [$"camera '{id}' is not in the registry"];
            }
            else
            {
                owners.Add(camera.OwnerId);
            }
        }

        if (cameraIds.Count == 0 && input.OwnerId is null && input.Category is null)
        {
            errors["cameraIds"] = ["name cameras, or an owner and/or category as the scope"];
        }

        if (input.OwnerId is not null)
        {
            owners.Add(input.OwnerId);
        }

        if (string.IsNullOrWhiteSpace(input.Purpose))
        {
            errors["purpose"] = ["a purpose is required"];
        }

        if (string.IsNullOrWhiteSpace(input.LegalBasisReference))
        {
            errors["legalBasisReference"] = ["a legal basis reference (decision or contract) is required"];
        }

        if (input.ValidFrom is { } f && input.ValidUntil is { } u && u <= f)
        {
            errors["validUntil"] = ["validUntil must be after validFrom"];
        }

        if (input.AllowedHours is not null && !AllowedHours.TryParse(input.AllowedHours, out _, out var hoursError))
        {
            errors["allowedHours"] = [hoursError ?? "unreadable schedule"];
        }

        FieldLimits.Check((field, message) => errors[field] = [message],
            ("partnerId", input.PartnerId, FieldLimits.Id), ("ownerId", input.OwnerId, FieldLimits.Id), ("purpose", input.Purpose, FieldLimits.Purpose),
            ("legalBasisReference", input.LegalBasisReference, FieldLimits.Reference), ("allowedHours", input.AllowedHours, FieldLimits.Reference));
        foreach (var camera in input.CameraIds ?? [])
        {
            FieldLimits.Check((field, message) => errors[field] = [message], ("cameraIds", camera, FieldLimits.Id));
        }

        var protocols = input.Protocols ?? SharingProtocols.Rtsp;
        if (protocols == SharingProtocols.None || (protocols & ~(SharingProtocols.Rtsp | SharingProtocols.Hls)) != 0)
        {
            errors["protocols"] = ["protocols must be Rtsp, Hls or both"];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The sharing agreement was not created.");
        }

        if (await RefuseUnlessManagerAsync(http, owners, input.Category, policy, gate, ct) is { } refused)
        {
            return refused;
        }

        var agreement = new SharingAgreement
        {
            Id = Guid.NewGuid(), PartnerId = partner!.Id, CameraIds = cameraIds, OwnerId = input.OwnerId, Category = input.Category,
            Purpose = input.Purpose!, LegalBasisReference = input.LegalBasisReference!, ValidFromUtc = input.ValidFrom?.ToUniversalTime(),
            ValidUntilUtc = input.ValidUntil?.ToUniversalTime(), AllowedHours = input.AllowedHours, Protocols = protocols,
            CreatedBy = AccessGate.Actor(http), CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        };
        db.SharingAgreements.Add(agreement);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(
            AuditAction.SharingAgreementChanged, AuditOutcome.Allowed, agreement.CreatedBy, cameraIds.Count == 1 ? cameraIds[0] : null,
            agreement.Purpose, AccessGate.RemoteAddress(http), $"created: {Describe(agreement)}", "sharingAgreement", agreement.Id.ToString()), ct);
        return Results.Created($"/api/sharing-agreements/{agreement.Id}", agreement);
    }

    private static async Task<IResult> WithdrawAsync(
        Guid id, HttpContext http, AccessDbContext db, ICameraDirectory cameras, AccessPolicy policy, AccessGate gate, IAuditLog audit,
        AccessChangeFeed feed, TimeProvider time, CancellationToken ct)
    {
        var agreement = await db.SharingAgreements.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (agreement is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"sharing agreement {id} does not exist");
        }

        var owners = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cameraId in agreement.CameraIds)
        {
            if (await cameras.FindAsync(cameraId, ct) is { } camera)
            {
                owners.Add(camera.OwnerId);
            }
        }

        if (agreement.OwnerId is not null)
        {
            owners.Add(agreement.OwnerId);
        }

        if (await RefuseUnlessManagerAsync(http, owners, agreement.Category, policy, gate, ct) is { } refused)
        {
            return refused;
        }

        if (agreement.RevokedAtUtc is null)
        {
            agreement.RevokedAtUtc = time.GetUtcNow().UtcDateTime;
            agreement.RevokedBy = AccessGate.Actor(http);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(new AuditEvent(
                AuditAction.SharingAgreementChanged, AuditOutcome.Allowed, agreement.RevokedBy, agreement.CameraIds.Count == 1 ? agreement.CameraIds[0] : null,
                agreement.Purpose, AccessGate.RemoteAddress(http), $"withdrawn: {Describe(agreement)}", "sharingAgreement", agreement.Id.ToString()), ct);
            await feed.PublishAsync(new AccessChanged(PartnerSubject(agreement.PartnerId), null, $"sharing agreement {agreement.Id} withdrawn by {agreement.RevokedBy}"));
        }

        return Results.Ok(agreement);
    }

    private static async Task<IResult> IssueCredentialsAsync(
        string id, HttpContext http, AccessDbContext db, RegistryDbContext registry, IAuditLog audit, AccessChangeFeed feed, TimeProvider time, CancellationToken ct)
    {
        if (!http.User.IsInRole(HubRoles.Administrator))
        {
            return Results.Problem(statusCode: 403, title: "Not allowed", detail: "only administrators issue partner credentials");
        }

        var partner = await registry.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
        if (partner is null || partner.Kind is not (OrganisationKind.Partner or OrganisationKind.Police))
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"'{id}' is not a partner organisation in the registry");
        }

        var (issued, credential) = NewCredentials(partner.Id, AccessGate.Actor(http), time.GetUtcNow().UtcDateTime);
        var revoked = await RevokeAllAsync(db, partner.Id, issued.IssuedAtUtc, ct);
        db.PartnerCredentials.Add(credential);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(
            AuditAction.PartnerCredentialsIssued, AuditOutcome.Allowed, credential.CreatedBy, null, null, AccessGate.RemoteAddress(http),
            $"partner {partner.Id}: user {credential.UserName} issued; {revoked} previous credential(s) revoked", "partner", partner.Id), ct);
        if (revoked > 0)
        {
            await feed.PublishAsync(new AccessChanged(PartnerSubject(partner.Id), null, $"credentials of partner {partner.Id} rotated"));
        }

        return Results.Ok(issued);
    }

    private static async Task<IResult> RevokeCredentialsAsync(
        string id, HttpContext http, AccessDbContext db, IAuditLog audit, AccessChangeFeed feed, TimeProvider time, CancellationToken ct)
    {
        if (!http.User.IsInRole(HubRoles.Administrator))
        {
            return Results.Problem(statusCode: 403, title: "Not allowed", detail: "only administrators revoke partner credentials");
        }

        var revoked = await RevokeAllAsync(db, id, time.GetUtcNow().UtcDateTime, ct);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(
            AuditAction.PartnerCredentialsIssued, AuditOutcome.Allowed, AccessGate.Actor(http), null, null, AccessGate.RemoteAddress(http),
            $"partner {id}: {revoked} credential(s) revoked", "partner", id), ct);
        await feed.PublishAsync(new AccessChanged(PartnerSubject(id), null, $"credentials of partner {id} revoked"));
        return Results.Ok(new { partnerId = id, revoked });
    }

    /// <summary>New random credentials: the clear values to show once and the row that keeps only hashes.</summary>
    public static (PartnerCredentialsIssued Issued, PartnerCredential Row) NewCredentials(string partnerId, string createdBy, DateTime utc)
    {
        var userName = $"{partnerId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var password = Base64Url(RandomNumberGenerator.GetBytes(18));
        var apiKey = "chk_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var row = new PartnerCredential
        {
            Id = Guid.NewGuid(), PartnerId = partnerId, UserName = userName, DigestHa1 = Ha1(userName, password),
            ApiKeyHash = ApiKeyHash(apiKey), CreatedBy = createdBy, CreatedAtUtc = utc,
        };
        return (new PartnerCredentialsIssued(partnerId, userName, password, apiKey, DigestRealm, utc), row);
    }

    /// <summary>Lower-case hex SHA-256 of an HLS API key, as stored.</summary>
    public static string ApiKeyHash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>Marks every active credential of the partner revoked (saved by the caller); returns how many.</summary>
    public static async Task<int> RevokeAllAsync(AccessDbContext db, string partnerId, DateTime utc, CancellationToken ct)
    {
        var active = await db.PartnerCredentials.Where(c => c.PartnerId == partnerId && c.RevokedAtUtc == null).ToListAsync(ct);
        foreach (var c in active)
        {
            c.RevokedAtUtc = utc;
        }

        return active.Count;
    }

    /// <summary>The subject name partner sessions are re-checked under after a change (never a person's user name).</summary>
    public static string PartnerSubject(string partnerId) => $"partner:{partnerId}";

    private static async Task<IResult?> RefuseUnlessManagerAsync(
        HttpContext http, HashSet<string> owners, CameraCategory? category, AccessPolicy policy, AccessGate gate, CancellationToken ct)
    {
        if (http.User.IsInRole(HubRoles.Administrator))
        {
            return null;
        }

        if (owners.Count == 0)
        {
            return await gate.RefuseAsync(http, AccessDecision.Forbid("only administrators may share across owners (a category scope)"), CameraRight.Manage, null, null, ct);
        }

        foreach (var owner in owners)
        {
            var decision = await policy.DecideForOwnerAsync(http.User, CameraRight.Manage, owner, category, ct);
            if (!decision.Allowed)
            {
                return await gate.RefuseAsync(http, decision, CameraRight.Manage, null, owner, ct);
            }
        }

        return null;
    }

    private static string Describe(SharingAgreement a) =>
        $"partner {a.PartnerId}; scope {(a.CameraIds.Count > 0 ? string.Join(",", a.CameraIds) : $"owner={a.OwnerId ?? "*"} category={a.Category?.ToString() ?? "*"}")}; "
        + $"{a.Protocols}; basis {a.LegalBasisReference}; valid {a.ValidFromUtc:O}..{a.ValidUntilUtc:O}; hours {a.AllowedHours ?? "always"}";

    // Digest (RFC 2617) is defined on MD5: HA1 is what the protocol needs the server to know.
#pragma warning disable CA5351
    private static string Ha1(string user, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{user}:{DigestRealm}:{password}")));
#pragma warning restore CA5351

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
