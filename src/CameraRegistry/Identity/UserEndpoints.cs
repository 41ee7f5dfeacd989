using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CameraHub.CameraRegistry.Identity;

/// <summary>Routes under /api/users (administrators only).</summary>
public static class UserEndpoints
{
    public static RouteGroupBuilder MapUserEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/users").WithTags("Users").WithBodyLimit(BodyLimit.Form).RequireAuthorization(p => p.RequireRole(HubRoles.Administrator));
        group.MapGet("/", async (UserAccounts accounts, CancellationToken ct) => Results.Ok(await accounts.ListAsync(ct)));
        group.MapPost("/", async (UserInput input, UserAccounts accounts, HttpContext http, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(input.UserName) || string.IsNullOrEmpty(input.Password) || string.IsNullOrEmpty(input.Role))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["userName"] = ["userName, password and role are required"] });
            }

            if (FieldLimits.Problems(
                ("userName", input.UserName, FieldLimits.UserName), ("password", input.Password, FieldLimits.Password),
                ("organisationId", input.OrganisationId, FieldLimits.Id), ("displayName", input.DisplayName, FieldLimits.Name)) is { } tooLong)
            {
                return Results.ValidationProblem(tooLong, title: "The account was not created.");
            }

            var (user, errors) = await accounts.CreateAsync(input.UserName, input.Password, input.Role, input.OrganisationId, input.DisplayName, AccessGate.Actor(http), ct);
            return user is null
                ? Results.ValidationProblem(new Dictionary<string, string[]> { ["password"] = [.. errors] }, title: "The account was not created.")
                : Results.Created($"/api/users/{user.UserName}", new { user.UserName, input.Role, user.OrganisationId });
        });
        group.MapPost("/{userName}/disable", async (string userName, UserAccounts accounts, HttpContext http, CancellationToken ct) =>
            await accounts.SetDisabledAsync(userName, true, AccessGate.Actor(http), ct) ? Results.NoContent() : Results.NotFound());
        group.MapPost("/{userName}/enable", async (string userName, UserAccounts accounts, HttpContext http, CancellationToken ct) =>
            await accounts.SetDisabledAsync(userName, false, AccessGate.Actor(http), ct) ? Results.NoContent() : Results.NotFound());
        return group;
    }
}
