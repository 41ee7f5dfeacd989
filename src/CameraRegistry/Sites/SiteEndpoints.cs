using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Limits;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Sites;

/// <summary>Routes under /api/sites.</summary>
public static class SiteEndpoints
{
    public static RouteGroupBuilder MapSiteEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/sites").WithTags("Sites").WithBodyLimit(BodyLimit.Form);
        group.MapGet("/", async (RegistryDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.Sites.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct)));
        group.MapPost("/", CreateAsync);
        return group;
    }

    /// <summary>Checks a site; each failure keyed by field.</summary>
    public static Dictionary<string, List<string>> Validate(Site site, IReadOnlySet<string> organisations)
    {
        var errors = new Dictionary<string, List<string>>();
        if (string.IsNullOrWhiteSpace(site.Id) || site.Id.Length > 64)
        {
            errors["id"] = ["id is required, at most 64 characters"];
        }

        if (string.IsNullOrWhiteSpace(site.Name))
        {
            errors["name"] = ["name is required"];
        }

        FieldLimits.Check((field, message) => errors[field] = [message], ("name", site.Name, FieldLimits.Name));
        if (site.OwnerId is not null && !organisations.Contains(site.OwnerId))
        {
            errors["ownerId"] = [$"owner '{site.OwnerId}' is not a registered organisation"];
        }

        if (site.Facade.Count is 1 || site.Facade.Any(p => p.Length != 2))
        {
            errors["facade"] = ["the façade is a polyline of at least two [x, y] points in metres"];
        }

        if (site.Latitude is < -90 or > 90 || site.Longitude is < -180 or > 180)
        {
            errors["latitude"] = ["coordinates out of range"];
        }

        return errors;
    }

    private static async Task<IResult> CreateAsync(
        Site site, RegistryDbContext db, HttpContext http, AccessPolicy policy, AccessGate gate, CancellationToken ct)
    {
        if (!http.User.IsInRole(Identity.HubRoles.Administrator)
            && (site.OwnerId is null || await CameraEndpoints.RefuseManageAsync(http, policy, gate, site.OwnerId, null, ct) is not null))
        {
            return Results.Problem(statusCode: 403, title: "Not allowed", detail: "sites are registered by administrators or by the owner organisation's camera owners");
        }

        var orgs = (await db.Organisations.Select(o => o.Id).ToListAsync(ct)).ToHashSet();
        var errors = Validate(site, orgs);
        if (errors.Count > 0)
        {
            return CameraEndpoints.Invalid(errors);
        }

        if (await db.Sites.AnyAsync(s => s.Id == site.Id, ct))
        {
            return TypedResults.Conflict($"site '{site.Id}' already exists");
        }

        db.Sites.Add(site);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/sites/{site.Id}", site);
    }
}
