using System.Text.RegularExpressions;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Limits;

namespace CameraHub.CameraRegistry.Care;

/// <summary>A supervision decision as registered through the API or a CSV row (defaults: ±15 min window, 3 min look).</summary>
public sealed record CareDecisionInput(
    string? CameraId,
    string? ResidentId,
    string? ResidentName,
    string? DecisionReference,
    DateOnly? DecisionDate,
    DateOnly? ValidFrom,
    DateOnly? ValidTo,
    string? ConsentBy,
    DateTimeOffset? ConsentAt,
    string? Schedule,
    string? CareUnit,
    int? WindowMinutes = null,
    int? LongestLookMinutes = null);

/// <summary>The checks every decision passes before it is stored; each problem names its field.</summary>
public static partial class CareDecisionRules
{
    /// <summary>Field → problems; empty when the input is acceptable.</summary>
    public static Dictionary<string, List<string>> Validate(CareDecisionInput d, CameraSource? camera, DateTimeOffset now)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Fail(string field, string message) => (errors.TryGetValue(field, out var l) ? l : errors[field] = []).Add(message);

        FieldLimits.Check(Fail, ("cameraId", d.CameraId, FieldLimits.Id), ("residentId", d.ResidentId, FieldLimits.Id),
            ("residentName", d.ResidentName, FieldLimits.Name), ("decisionReference", d.DecisionReference, FieldLimits.Reference),
            ("consentBy", d.ConsentBy, FieldLimits.Name), ("schedule", d.Schedule, FieldLimits.Text), ("careUnit", d.CareUnit, FieldLimits.Name));
        if (string.IsNullOrWhiteSpace(d.CameraId))
        {
            Fail("cameraId", "cameraId is required");
        }
        else if (camera is null)
        {
            Fail("cameraId", $"camera '{d.CameraId}' is not in the registry");
        }
        else if (camera.Category != CameraCategory.CareHome)
        {
            Fail("cameraId", $"camera '{d.CameraId}' is {camera.Category}, not a CareHome camera");
        }

        if (string.IsNullOrWhiteSpace(d.ResidentId))
        {
            Fail("residentId", "residentId (a pseudonymous id) is required");
        }
        else if (PersonalNumber().IsMatch(d.ResidentId))
        {
            Fail("residentId", "residentId looks like a personal identity number; use the care system's pseudonymous id");
        }

        Require(d.ResidentName, "residentName", Fail);
        Require(d.DecisionReference, "decisionReference", Fail);
        Require(d.ConsentBy, "consentBy", Fail);
        Require(d.CareUnit, "careUnit", Fail);
        if (d.DecisionDate is null)
        {
            Fail("decisionDate", "decisionDate (yyyy-MM-dd) is required");
        }

        if (d.ValidFrom is null)
        {
            Fail("validFrom", "validFrom (yyyy-MM-dd) is required");
        }
        else if (d.ValidTo is { } to && to < d.ValidFrom)
        {
            Fail("validTo", $"validTo {to:yyyy-MM-dd} is before validFrom {d.ValidFrom:yyyy-MM-dd}");
        }

        if (d.ConsentAt is null)
        {
            Fail("consentAt", "consentAt (when consent was recorded, ISO 8601) is required");
        }
        else if (d.ConsentAt > now)
        {
            Fail("consentAt", "consentAt is in the future");
        }

        if (!VisitSchedule.TryParse(d.Schedule, out _, out var scheduleError))
        {
            Fail("schedule", scheduleError!);
        }

        if (d.WindowMinutes is < 1 or > 60)
        {
            Fail("windowMinutes", "windowMinutes must be 1–60 (minutes either side of each visit time)");
        }

        if (d.LongestLookMinutes is < 1 or > 15)
        {
            Fail("longestLookMinutes", "longestLookMinutes must be 1–15: a look is a short visit, never a feed left open");
        }

        return errors;
    }

    private static void Require(string? value, string field, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            fail(field, $"{field} is required");
        }
    }

    /// <summary>Swedish personal identity numbers (yymmdd-nnnn, yyyymmddnnnn): never a resident id.</summary>
    [GeneratedRegex(@"^\s*(\d{2})?\d{6}[-+]?\d{4}\s*$")]
    private static partial Regex PersonalNumber();
}
