using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Limits;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Grants;

/// <summary>What a client sends to create a grant.</summary>
public sealed record GrantInput(
    GrantSubjectKind SubjectKind, string? Subject, GrantScopeKind ScopeKind, string? Scope, CameraRight Rights,
    DateTime? ValidFrom, DateTime? ValidUntil, string? Reason);

/// <summary>Routes under /api/grants: list, create, revoke.</summary>
public static class GrantEndpoints
{
    public static RouteGroupBuilder MapGrantEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/grants").WithTags("Grants").WithBodyLimit(BodyLimit.Form);
        group.MapGet("/", ListAsync).WithSummary("Grants: all for administrators and the DPO; for owners also those on their organisation's cameras; one's own for everybody else.");
        group.MapPost("/", CreateAsync).WithSummary("Creates a grant (administrators; camera owners for their own organisation's cameras).");
        group.MapDelete("/{id:guid}", RevokeAsync).WithSummary("Revokes a grant; open streams it allowed end within seconds.");
        return group;
    }

    private static async Task<IResult> ListAsync(HttpContext http, AccessDbContext db, RegistryDbContext registry, bool? includeRevoked, CancellationToken ct)
    {
        var user = http.User;
        var query = db.Grants.AsNoTracking();
        if (includeRevoked != true)
        {
            query = query.Where(g => g.RevokedAtUtc == null);
        }

        if (!user.IsInRole(HubRoles.Administrator) && !user.IsInRole(HubRoles.DataProtectionOfficer))
        {
            var name = user.Identity?.Name ?? string.Empty;
            var roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();
            // Owners also see the grants on their organisation's cameras, which they may give and revoke.
            var org = user.IsInRole(HubRoles.CameraOwner) ? user.FindFirst(HubRoles.OrganisationClaim)?.Value : null;
            var ownCameras = org is null ? [] : await registry.Cameras.AsNoTracking().Where(c => c.OwnerId == org).Select(c => c.Id).ToListAsync(ct);
            query = query.Where(g => (g.SubjectKind == GrantSubjectKind.User && g.Subject == name) || (g.SubjectKind == GrantSubjectKind.Role && roles.Contains(g.Subject))
                || (org != null && g.ScopeKind == GrantScopeKind.Organisation && g.Scope == org)
                || (org != null && g.ScopeKind == GrantScopeKind.Camera && ownCameras.Contains(g.Scope)));
        }

        return Results.Ok(await query.OrderBy(g => g.CreatedAtUtc).ToListAsync(ct));
    }

    private static async Task<IResult> CreateAsync(
        GrantInput input, HttpContext http, AccessDbContext db, ICameraDirectory cameras, AccessPolicy policy, AccessGate gate,
        IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Subject))
        {
            errors["subject"] = ["subject (a user name or role) is required"];
        }
        else if (input.SubjectKind == GrantSubjectKind.Role && !HubRoles.All.Contains(input.Subject))
        {
            errors["subject"] = [$"unknown role '{input.Subject}'; roles are {string.Join(", ", HubRoles.All)}"];
        }
        else if (input.SubjectKind == GrantSubjectKind.User && !await db.Users.AnyAsync(u => u.UserName == input.Subject, ct))
        {
            errors["subject"] = [$"unknown user '{input.Subject}'"];
        }

        var known = AccessPolicy.AllRights.Aggregate(CameraRight.None, (all, r) => all | r);
        if (input.Rights == CameraRight.None || (input.Rights & ~known) != 0)
        {
            errors["rights"] = [$"rights must combine {string.Join(", ", AccessPolicy.AllRights)}"];
        }
        else if (input.SubjectKind == GrantSubjectKind.Role && input.Rights.HasFlag(CameraRight.Unmask))
        {
            errors["rights"] = ["Unmask is given to a named user only, never to a role (DESIGN.md 4.6)"];
        }

        if (string.IsNullOrWhiteSpace(input.Reason))
        {
            errors["reason"] = ["a reason is required: grants are audited"];
        }

        FieldLimits.Check((field, message) => errors[field] = [message],
            ("subject", input.Subject, FieldLimits.UserName), ("scope", input.Scope, FieldLimits.Id), ("reason", input.Reason, FieldLimits.Purpose));

        if (input.ValidFrom is { } f && input.ValidUntil is { } u && u <= f)
        {
            errors["validUntil"] = ["validUntil must be after validFrom"];
        }

        // Who may grant on this scope: administrators anywhere; owners on their own organisation's cameras.
        string? owner = null;
        var scope = input.Scope ?? string.Empty;
        switch (input.ScopeKind)
        {
            case GrantScopeKind.Camera:
                var camera = await cameras.FindAsync(scope, ct);
                if (camera is null)
                {
                    errors["scope"] = [$"camera '{scope}' is not in the registry"];
                }

                owner = camera?.OwnerId;
                break;
            case GrantScopeKind.Organisation:
                owner = scope;
                break;
            case GrantScopeKind.Category when !Enum.TryParse<CameraCategory>(scope, out _):
                errors["scope"] = [$"unknown category '{scope}'"];
                break;
            case GrantScopeKind.AllCameras:
                scope = "*";
                break;
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The grant was not created.");
        }

        if (!http.User.IsInRole(HubRoles.Administrator))
        {
            var decision = owner is null
                ? AccessDecision.Forbid("only administrators may grant across owners (category or all cameras)")
                : await policy.DecideForOwnerAsync(http.User, CameraRight.Manage, owner, null, ct);
            if (!decision.Allowed)
            {
                return await gate.RefuseAsync(http, decision, CameraRight.Manage, input.ScopeKind == GrantScopeKind.Camera ? scope : null, owner, ct);
            }
        }

        var grant = new Grant
        {
            Id = Guid.NewGuid(), SubjectKind = input.SubjectKind, Subject = input.Subject!, ScopeKind = input.ScopeKind, Scope = scope,
            Rights = input.Rights, ValidFromUtc = input.ValidFrom?.ToUniversalTime(), ValidUntilUtc = input.ValidUntil?.ToUniversalTime(),
            Reason = input.Reason!, CreatedBy = AccessGate.Actor(http), CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        };
        db.Grants.Add(grant);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(
            AuditAction.GrantCreated, AuditOutcome.Allowed, grant.CreatedBy, grant.ScopeKind == GrantScopeKind.Camera ? grant.Scope : null,
            grant.Reason, AccessGate.RemoteAddress(http), $"{grant.SubjectKind} {grant.Subject} → {grant.ScopeKind} {grant.Scope}: {grant.Rights}",
            "grant", grant.Id.ToString()), ct);
        return Results.Created($"/api/grants/{grant.Id}", grant);
    }

    private static async Task<IResult> RevokeAsync(
        Guid id, HttpContext http, AccessDbContext db, ICameraDirectory cameras, AccessPolicy policy, AccessGate gate,
        IAuditLog audit, AccessChangeFeed feed, TimeProvider time, CancellationToken ct)
    {
        var grant = await db.Grants.FirstOrDefaultAsync(g => g.Id == id, ct);
        if (grant is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"grant {id} does not exist");
        }

        if (!http.User.IsInRole(HubRoles.Administrator))
        {
            var owner = grant.ScopeKind switch
            {
                GrantScopeKind.Organisation => grant.Scope,
                GrantScopeKind.Camera => (await cameras.FindAsync(grant.Scope, ct))?.OwnerId,
                _ => null,
            };
            var decision = owner is null
                ? AccessDecision.Forbid("only administrators may revoke grants across owners")
                : await policy.DecideForOwnerAsync(http.User, CameraRight.Manage, owner, null, ct);
            if (!decision.Allowed)
            {
                return await gate.RefuseAsync(http, decision, CameraRight.Manage, null, owner, ct);
            }
        }

        if (grant.RevokedAtUtc is null)
        {
            grant.RevokedAtUtc = time.GetUtcNow().UtcDateTime;
            grant.RevokedBy = AccessGate.Actor(http);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(new AuditEvent(
                AuditAction.GrantRevoked, AuditOutcome.Allowed, grant.RevokedBy, grant.ScopeKind == GrantScopeKind.Camera ? grant.Scope : null,
                null, AccessGate.RemoteAddress(http), $"{grant.SubjectKind} {grant.Subject} → {grant.ScopeKind} {grant.Scope}: {grant.Rights}",
                "grant", grant.Id.ToString()), ct);
            await feed.PublishAsync(new AccessChanged(
                grant.SubjectKind == GrantSubjectKind.User ? grant.Subject : null,
                grant.SubjectKind == GrantSubjectKind.Role ? grant.Subject : null,
                $"grant {grant.Id} revoked by {grant.RevokedBy}"));
        }

        return Results.Ok(grant);
    }
}
