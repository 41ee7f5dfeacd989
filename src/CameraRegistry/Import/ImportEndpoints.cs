using System.Text;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace CameraHub.CameraRegistry.Import;

/// <summary>POST /api/cameras/import.</summary>
public static class ImportEndpoints
{
    public static RouteHandlerBuilder MapCameraImport(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/api/cameras/import", ImportAsync)
            .WithTags("Cameras")
            .WithSummary("Imports a camera CSV (text/csv, UTF-8): every row or none; each bad row named by line and field.")
            .Accepts<string>("text/csv")
            .WithBodyLimit(BodyLimit.Import);

    internal static async Task<Results<Ok<ImportSummary>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, CameraImporter importer, AccessPolicy policy, IAuditLog audit, CancellationToken ct)
    {
        var http = request.HttpContext;
        // The CSV parser reads synchronously; buffer the body asynchronously first (at most BodyLimit.Import bytes).
        using var body = new StreamReader(request.Body, Encoding.UTF8);
        using var reader = new StringReader(await body.ReadToEndAsync(ct));
        var result = await importer.ImportAsync(reader, CameraEndpoints.Actor(http), ct, async (owner, token) =>
        {
            var decision = await policy.DecideForOwnerAsync(http.User, CameraRight.Manage, owner, null, token);
            return decision.Allowed ? null : $"you may not register cameras for '{owner}': {decision.Reason}";
        });
        await audit.AppendAsync(new AuditEvent(
            AuditAction.CameraImported, result.Succeeded ? AuditOutcome.Allowed : AuditOutcome.Denied, CameraEndpoints.Actor(http),
            RemoteAddress: AccessGate.RemoteAddress(http),
            Details: result.Succeeded ? $"{result.Imported} cameras imported" : $"import refused: {result.Errors.Count} problem(s)"), ct);
        if (result.Succeeded)
        {
            return TypedResults.Ok(new ImportSummary(result.Imported));
        }

        return TypedResults.Problem(ToProblem(result));
    }

    /// <summary>A problem document listing every bad row; nothing was imported.</summary>
    public static ProblemDetails ToProblem(ImportResult result)
    {
        var lines = result.Errors.Select(e => e.Line).Distinct().Count();
        var problem = new HttpValidationProblemDetails(
            result.Errors.GroupBy(e => $"line {e.Line}: {e.Field}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = $"{result.Errors.Count} problem(s) on {lines} line(s); nothing was imported.",
            Type = "https://camerahub.local/problems/import-rejected",
        };
        problem.Extensions["rowErrors"] = result.Errors;
        return problem;
    }
}

/// <summary>How many cameras an import wrote.</summary>
public sealed record ImportSummary(int Imported);
