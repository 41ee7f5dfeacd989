using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Files;
using CameraHub.Masking.Masks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace CameraHub.Masking.Endpoints;

/// <summary>The body of PUT /api/cameras/{id}/calibration: pairs, façade, keep distance and image size.</summary>
public sealed record CalibrationBody(
    IReadOnlyList<CalibrationPoint>? Points,
    IReadOnlyList<double[]>? Facade,
    double? KeepDistanceMetres,
    int ImageWidth,
    int ImageHeight);

/// <summary>A stored calibration with what the fit says about it.</summary>
public sealed record CalibrationView(
    string CameraId,
    IReadOnlyList<CalibrationPoint> Points,
    IReadOnlyList<double[]> Facade,
    double KeepDistanceMetres,
    int ImageWidth,
    int ImageHeight,
    DateTime UpdatedAtUtc,
    IReadOnlyList<double> ReprojectionErrorsPixels,
    double RmsReprojectionErrorPixels,
    int KeptPixels,
    string MaskSha256);

/// <summary>Calibration, mask and preview routes under /api/cameras/{id}.</summary>
public static class MaskEndpoints
{
    private const string MaskHashHeader = "X-Mask-Sha256";

    /// <summary>Maps the masking routes; returns the group so the host can require authorisation on it.</summary>
    public static RouteGroupBuilder MapMaskingEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/cameras/{id}").WithTags("Masking");
        // Owners and the DPO check calibrations (audit right); changing one needs the manage right.
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var id = http.GetRouteValue("id") as string ?? string.Empty;
            var right = HttpMethods.IsPut(http.Request.Method) ? CameraRight.Manage : CameraRight.Audit;
            var gate = http.RequestServices.GetRequiredService<AccessGate>();
            return await gate.RefuseUnlessAsync(http, right, id, http.RequestAborted) ?? await next(context);
        });
        group.MapGet("/calibration", GetCalibrationAsync).WithName("GetCalibration");
        group.MapPut("/calibration", PutCalibrationAsync).WithName("PutCalibration");
        group.MapGet("/mask.png", GetMaskAsync).WithName("GetMask");
        group.MapGet("/mask-preview.png", GetPreviewFromSnapshotAsync).WithName("GetMaskPreview");
        group.MapPost("/mask-preview.png", PostPreviewOfFrameAsync).WithName("PostMaskPreview").DisableAntiforgery();
        return group;
    }

    private static async Task<IResult> GetCalibrationAsync(string id, CalibrationStore store, MaskCache cache, CancellationToken ct)
    {
        var stored = await store.FindAsync(id, ct);
        if (stored is not { } s)
        {
            return Results.Problem(statusCode: 404, title: "No calibration", detail: $"Camera {id} has no calibration; PUT one to /api/cameras/{id}/calibration.");
        }

        try
        {
            return Results.Ok(View(CalibrationValidator.Validate(s.Calibration), s.UpdatedAtUtc, cache));
        }
        catch (CalibrationRejectedException e)
        {
            return Refused(e);
        }
    }

    private static async Task<IResult> PutCalibrationAsync(
        string id, CalibrationBody body, ICameraDirectory cameras, CalibrationStore store, History.MaskHistory history, MaskCache cache, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        if (await cameras.FindAsync(id, ct) is not { } camera)
        {
            return Results.Problem(statusCode: 404, title: "Unknown camera", detail: $"No camera {id} in the registry.");
        }

        var calibration = new CameraCalibration
        {
            CameraId = id,
            Points = body.Points ?? [],
            Facade = body.Facade ?? [],
            KeepDistanceMetres = body.KeepDistanceMetres ?? camera.Masking.KeepDistanceMetres ?? CameraCalibration.DefaultKeepDistanceMetres,
            ImageWidth = body.ImageWidth,
            ImageHeight = body.ImageHeight,
        };
        try
        {
            var validated = await store.SaveAsync(calibration, ct);
            // A new calibration is a new mask version from now on; older footage keeps the mask it was recorded under.
            await history.CurrentAsync(camera, ct, AccessGate.Actor(http), "calibration changed");
            return Results.Ok(View(validated, time.GetUtcNow().UtcDateTime, cache));
        }
        catch (CalibrationRejectedException e)
        {
            return Refused(e);
        }
    }

    private static async Task<IResult> GetMaskAsync(string id, int? width, int? height, ICameraDirectory cameras, CalibrationStore store, MaskCache cache, HttpContext http, CancellationToken ct)
    {
        var decided = await PlanAsync(id, width, height, cameras, store, cache, ct);
        if (decided.Problem is not null)
        {
            return decided.Problem;
        }

        http.Response.Headers[MaskHashHeader] = decided.Plan!.Mask.Sha256;
        return Results.File(decided.Plan.Mask.ToPng(), "image/png");
    }

    private static async Task<IResult> GetPreviewFromSnapshotAsync(
        string id, ICameraDirectory cameras, CalibrationStore store, MaskCache cache, CameraSnapshot snapshots, AccessGate gate, TimeProvider time,
        HttpContext http, CancellationToken ct)
    {
        if (await cameras.FindAsync(id, ct) is not { } camera)
        {
            return Results.Problem(statusCode: 404, title: "Unknown camera", detail: $"No camera {id} in the registry.");
        }

        if (camera.Category == CameraCategory.CareHome)
        {
            // A home's picture is shown only during a visit look (DESIGN.md 4.7), never as a preview.
            return Results.Problem(statusCode: 409, title: "No snapshot", detail: $"care camera {id}'s picture is shown only during a supervision visit");
        }

        // A snapshot is the camera's current picture: it obeys the camera's mode and allowed hours like live viewing.
        if (AccessPolicy.CameraRefusal(camera, CameraRight.Live, time.GetUtcNow()) is { } refusal)
        {
            return await gate.RefuseAsync(http, AccessDecision.Conflict(
                $"{refusal}, so no snapshot is taken for a preview; POST a frame taken at installation to /api/cameras/{id}/mask-preview.png instead"),
                CameraRight.Live, id, null, ct);
        }

        using var frame = await snapshots.GrabAsync(camera, ct);
        if (frame is null)
        {
            return Results.Problem(statusCode: 502, title: "No snapshot",
                detail: $"Could not read a picture from {id}'s stream; POST a frame (PNG or JPEG) to /api/cameras/{id}/mask-preview.png instead.");
        }

        return await PreviewAsync(id, frame, "snapshot of the camera's stream", cameras, store, cache, http, ct);
    }

    private static async Task<IResult> PostPreviewOfFrameAsync(string id, HttpRequest request, ICameraDirectory cameras, CalibrationStore store, MaskCache cache, HttpContext http, CancellationToken ct)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        using var frame = body.Length == 0 ? new Mat() : Cv2.ImDecode(body.ToArray(), ImreadModes.Color);
        if (frame.Empty())
        {
            return Results.Problem(statusCode: 400, title: "No picture", detail: "Send one frame as a PNG or JPEG body.");
        }

        return await PreviewAsync(id, frame, "supplied frame", cameras, store, cache, http, ct);
    }

    private static async Task<IResult> PreviewAsync(
        string id, Mat frame, string source, ICameraDirectory cameras, CalibrationStore store, MaskCache cache, HttpContext http, CancellationToken ct)
    {
        var decided = await PlanAsync(id, frame.Width, frame.Height, cameras, store, cache, ct);
        if (decided.Problem is not null)
        {
            return decided.Problem;
        }

        http.Response.Headers[MaskHashHeader] = decided.Plan!.Mask.Sha256;
        var png = MaskPreview.Render(frame, decided.Plan.Mask);
        await http.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(new AuditEvent(AuditAction.MaskViewed, AuditOutcome.Allowed,
            AccessGate.Actor(http), id, "mask preview", AccessGate.RemoteAddress(http),
            $"mask preview of a {source} ({frame.Width}x{frame.Height}), obscured zone pixelated; mask {decided.Plan.Mask.Sha256}"), ct);
        return Results.File(png, "image/png");
    }

    private static async Task<(MaskingPlan? Plan, IResult? Problem)> PlanAsync(
        string id, int? width, int? height, ICameraDirectory cameras, CalibrationStore store, MaskCache cache, CancellationToken ct)
    {
        if (await cameras.FindAsync(id, ct) is not { } camera)
        {
            return (null, Results.Problem(statusCode: 404, title: "Unknown camera", detail: $"No camera {id} in the registry."));
        }

        if (camera.Masking.Kind == MaskingKind.None)
        {
            return (null, Results.Problem(statusCode: 404, title: "No masking", detail: $"Camera {id} has no masking profile; its picture is shown whole."));
        }

        var calibration = (await store.FindAsync(id, ct))?.Calibration;
        if (camera.Masking.Kind == MaskingKind.FacadeDistance && calibration is null)
        {
            return (null, Results.Problem(statusCode: 409, title: "No calibration",
                detail: $"Camera {id} masks by façade distance but has no calibration, so its footage is obscured entirely; PUT one to /api/cameras/{id}/calibration."));
        }

        var w = width ?? calibration?.ImageWidth;
        var h = height ?? calibration?.ImageHeight;
        if (w is not > 0 || h is not > 0)
        {
            return (null, Results.Problem(statusCode: 400, title: "Image size needed", detail: "Give ?width=&height= (pixels) for a camera masked by privacy polygons."));
        }

        try
        {
            return (MaskingPlan.For(camera.Masking, calibration, cache, w.Value, h.Value), null);
        }
        catch (CalibrationRejectedException e)
        {
            return (null, Refused(e));
        }
        catch (ArgumentException e)
        {
            return (null, Results.Problem(statusCode: 422, title: "Masking profile refused", detail: e.Message));
        }
    }

    private static CalibrationView View(ValidatedCalibration validated, DateTime updatedAtUtc, MaskCache cache)
    {
        var c = validated.Calibration;
        var mask = cache.Get(validated);
        return new CalibrationView(c.CameraId, c.Points, c.Facade, c.KeepDistanceMetres, c.ImageWidth, c.ImageHeight, updatedAtUtc,
            [.. validated.ReprojectionErrorsPixels.Select(e => Math.Round(e, 3))], Math.Round(validated.RmsReprojectionErrorPixels, 3), mask.KeptPixels, mask.Sha256);
    }

    private static IResult Refused(CalibrationRejectedException e) =>
        Results.Problem(statusCode: 422, title: "Calibration refused", detail: string.Join(" ", e.Problems),
            extensions: new Dictionary<string, object?> { ["problems"] = e.Problems });
}
