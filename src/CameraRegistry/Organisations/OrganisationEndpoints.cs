using System.Text.RegularExpressions;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Limits;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Organisations;

/// <summary>What a client sends to register an organisation.</summary>
public sealed record OrganisationInput(string? Id, string? Name, OrganisationKind Kind, string? OrganisationNumber, string? Contact);

/// <summary>Routes under /api/organisations.</summary>
public static partial class OrganisationEndpoints
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^\d{6}-\d{4}$")]
    private static partial Regex OrgNumberPattern();

    public static RouteGroupBuilder MapOrganisationEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/organisations").WithTags("Organisations").WithBodyLimit(BodyLimit.Form);
        group.MapGet("/", async (RegistryDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.Organisations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(ct)));
        group.MapPost("/", CreateAsync).RequireAuthorization(p => p.RequireRole(Identity.HubRoles.Administrator));
        return group;
    }

    /// <summary>Checks an organisation; each failure keyed by field.</summary>
    public static Dictionary<string, List<string>> Validate(OrganisationInput input)
    {
        var errors = new Dictionary<string, List<string>>();
        if (input.Id is null || !IdPattern().IsMatch(input.Id))
        {
            errors["id"] = ["id is required: lower-case letters, digits and '-', at most 64"];
        }

        if (string.IsNullOrWhiteSpace(input.Name))
        {
            errors["name"] = ["name is required"];
        }

        if (!Enum.IsDefined(input.Kind))
        {
            errors["kind"] = ["kind must be Board, MunicipalCompany, Police, Partner, Supplier or Other"];
        }

        if (input.OrganisationNumber is not null && !OrgNumberPattern().IsMatch(input.OrganisationNumber))
        {
            errors["organisationNumber"] = ["organisation number must look like 212000-1355"];
        }

        FieldLimits.Check((field, message) => errors[field] = [message], ("name", input.Name, FieldLimits.Name), ("contact", input.Contact, FieldLimits.Reference));

        return errors;
    }

    private static async Task<Results<Created<Organisation>, ValidationProblem, Conflict<string>>> CreateAsync(
        OrganisationInput input, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = Validate(input);
        if (errors.Count > 0)
        {
            return CameraEndpoints.Invalid(errors);
        }

        if (await db.Organisations.AnyAsync(o => o.Id == input.Id, ct))
        {
            return TypedResults.Conflict($"organisation '{input.Id}' already exists");
        }

        var org = new Organisation
        {
            Id = input.Id!, Name = input.Name!.Trim(), Kind = input.Kind, OrganisationNumber = input.OrganisationNumber,
            Contact = input.Contact, CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        };
        db.Organisations.Add(org);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/organisations/{org.Id}", org);
    }
}
