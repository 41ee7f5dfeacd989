using System.Text.RegularExpressions;
using CameraHub.CameraRegistry.Limits;
using CameraHub.CameraRegistry.Schedules;

namespace CameraHub.CameraRegistry.Cameras;

/// <summary>What a camera write is checked against besides the camera itself.</summary>
public sealed record CameraRuleContext(
    DateOnly Today,
    IReadOnlySet<string> OrganisationIds,
    IReadOnlySet<string> SiteIds,
    IReadOnlySet<string> PartnerIds);

/// <summary>The rules of DESIGN.md 4.1–4.3 that every camera write must satisfy; each failure names its field.</summary>
public static partial class CameraRules
{
    /// <summary>The most a facade-distance profile may keep: IMY's guidance for schools is two metres.</summary>
    public const double SchoolMaxKeepDistanceMetres = 2.0;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^(6\(1\)\([a-f]\)(, ?9\(2\)\([a-j]\))?|BDL 2018:1177)$")]
    private static partial Regex GdprPattern();

    /// <summary>Every violated rule, keyed by the field's JSON path; empty when the camera may be written.</summary>
    public static Dictionary<string, List<string>> Validate(CameraInput c, CameraRuleContext ctx)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Fail(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (string.IsNullOrWhiteSpace(c.Id) || !IdPattern().IsMatch(c.Id))
        {
            Fail("id", "id is required: 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        if (string.IsNullOrWhiteSpace(c.Name))
        {
            Fail("name", "name is required");
        }

        if (string.IsNullOrWhiteSpace(c.OwnerId))
        {
            Fail("ownerId", "owner is required");
        }
        else if (!ctx.OrganisationIds.Contains(c.OwnerId))
        {
            Fail("ownerId", $"owner '{c.OwnerId}' is not a registered organisation");
        }

        if (c.SiteId is not null && !ctx.SiteIds.Contains(c.SiteId))
        {
            Fail("siteId", $"site '{c.SiteId}' is not a registered site");
        }

        if (!Enum.IsDefined(c.Mode))
        {
            Fail("mode", "mode must be LiveOnly, RecordedOnly or LiveAndRecorded");
        }

        if (!Enum.IsDefined(c.Category))
        {
            Fail("category", "unknown category");
        }

        CheckEndpoints(c, Fail);
        CheckPosition(c, Fail);
        CheckRetention(c, Fail);
        CheckLegalBasis(c, ctx.Today, Fail);
        CheckHours(c, Fail);
        CheckMasking(c, Fail);
        CheckLengths(c, Fail);

        foreach (var partner in c.SharingPartnerIds)
        {
            if (!ctx.PartnerIds.Contains(partner))
            {
                Fail("sharingPartnerIds", $"sharing partner '{partner}' is not a registered organisation");
            }
        }

        if (c.SharingPartnerIds.Count > 0 && c.Mode == CameraMode.RecordedOnly)
        {
            Fail("sharingPartnerIds", "a RecordedOnly camera cannot be shared live with partners");
        }

        if (c.StartedOn > ctx.Today || c.EndedOn > ctx.Today)
        {
            Fail("startedOn", "surveillance dates cannot be in the future");
        }

        if (c.EndedOn is not null && (c.Status != CameraStatus.Decommissioned || c.StartedOn is null || c.EndedOn < c.StartedOn))
        {
            Fail("endedOn", "an end date needs a Decommissioned camera with a start date on or before it");
        }

        var costs = c.Costs;
        if (costs.EquipmentSek < 0 || costs.InstallationSek < 0 || costs.MaintenanceSekPerYear < 0
            || costs.LeaseSekPerYear < 0 || costs.MonitoringHoursPerWeek < 0)
        {
            Fail("costs", "costs cannot be negative");
        }

        if (costs.DepreciationYears is < 1 or > 30)
        {
            Fail("costs.depreciationYears", "depreciation must be 1–30 years");
        }

        if (costs.MonitoringHoursPerWeek > 168)
        {
            Fail("costs.monitoringHoursPerWeek", "a week has 168 hours");
        }

        if (costs.MonitoringHoursPerWeek > 0 && c.Mode == CameraMode.RecordedOnly)
        {
            Fail("costs.monitoringHoursPerWeek", "a RecordedOnly camera is never watched live, so it has no monitoring hours");
        }

        return errors;
    }

    private static void CheckEndpoints(CameraInput c, Action<string, string> fail)
    {
        if (c.RtspUrl is { } rtsp && (!Uri.TryCreate(rtsp, UriKind.Absolute, out var r) || r.Scheme is not ("rtsp" or "rtsps")))
        {
            fail("rtspUrl", "rtspUrl must be an absolute rtsp:// or rtsps:// address");
        }

        if (c.OnvifUrl is { } onvif && (!Uri.TryCreate(onvif, UriKind.Absolute, out var o) || o.Scheme is not ("http" or "https")))
        {
            fail("onvifUrl", "onvifUrl must be an absolute http:// or https:// device service address");
        }

        if (c.Status == CameraStatus.Active && c.RtspUrl is null && c.OnvifUrl is null)
        {
            fail("rtspUrl", "an active camera needs an RTSP or ONVIF address");
        }
    }

    private static void CheckPosition(CameraInput c, Action<string, string> fail)
    {
        if (c.Latitude is < -90 or > 90)
        {
            fail("latitude", "latitude must be between -90 and 90");
        }

        if (c.Longitude is < -180 or > 180)
        {
            fail("longitude", "longitude must be between -180 and 180");
        }

        if (c.HeadingDegrees is < 0 or >= 360)
        {
            fail("headingDegrees", "heading must be 0 ≤ degrees < 360");
        }

        if (c.MountingHeightMetres is < 0 or > 200)
        {
            fail("mountingHeightMetres", "mounting height must be 0–200 m");
        }
    }

    private static void CheckRetention(CameraInput c, Action<string, string> fail)
    {
        var records = c.Mode is CameraMode.RecordedOnly or CameraMode.LiveAndRecorded;
        if (records && c.RetentionDays is null or <= 0)
        {
            fail("retentionDays", $"a {c.Mode} camera needs a retention above zero days");
        }

        if (c.Mode == CameraMode.LiveOnly && c.RetentionDays is not null and not 0)
        {
            fail("retentionDays", "a LiveOnly camera never records, so it cannot have a retention");
        }

        if (c.Category == CameraCategory.CareHome && c.Mode != CameraMode.LiveOnly)
        {
            fail("mode", "a CareHome camera looks into a private home and is never recorded: its mode must be LiveOnly (DESIGN.md 4.7)");
        }

        if (c.Category == CameraCategory.CareHome && c.SharingPartnerIds is { Count: > 0 })
        {
            fail("sharingPartnerIds", "a CareHome camera is seen only by a care operator during a visit: it is never shared with partner systems");
        }

        if (c.RetentionDays > 3650)
        {
            fail("retentionDays", "retention above ten years is not a plausible purpose limitation (GDPR 5(1)(e))");
        }

        var basis = c.LegalBasis;
        if (basis.Kind == LegalBasisKind.Permit && basis.PermitMaxRetentionDays is { } max && c.RetentionDays > max)
        {
            fail("retentionDays", $"retention {c.RetentionDays} days exceeds the permit's {max} days");
        }
    }

    private static void CheckLegalBasis(CameraInput c, DateOnly today, Action<string, string> fail)
    {
        var b = c.LegalBasis;
        if (c.Status == CameraStatus.Active && b.Kind == LegalBasisKind.None)
        {
            fail("legalBasis.kind", "an active camera needs a legal basis: a documented balancing of interests or a permit");
        }

        if (b.Kind == LegalBasisKind.None)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(b.Reference))
        {
            fail("legalBasis.reference", "the decision's reference (diarienummer) is required");
        }

        if (string.IsNullOrWhiteSpace(b.Purpose))
        {
            fail("legalBasis.purpose", "the purpose of the surveillance is required");
        }

        if (string.IsNullOrWhiteSpace(b.GdprArticle) || !GdprPattern().IsMatch(b.GdprArticle))
        {
            fail("legalBasis.gdprArticle", "the GDPR article is required, written like 6(1)(e) or 6(1)(e), 9(2)(g) (police cameras: BDL 2018:1177)");
        }

        if (b.Kind == LegalBasisKind.BalancingOfInterests)
        {
            if (b.DecidedOn is null)
            {
                fail("legalBasis.decidedOn", "the date of the balancing of interests is required");
            }
            else if (b.DecidedOn > today)
            {
                fail("legalBasis.decidedOn", "the balancing of interests must be documented before surveillance starts; its date is in the future");
            }

            if (string.IsNullOrWhiteSpace(b.DecidedBy))
            {
                fail("legalBasis.decidedBy", "who decided the balancing of interests is required");
            }

            if (string.IsNullOrWhiteSpace(b.Weighing))
            {
                fail("legalBasis.weighing", "the documented weighing (purpose against intrusion) is required");
            }
        }

        if (b.Kind == LegalBasisKind.Permit)
        {
            if (b.PermitValidUntil is null)
            {
                fail("legalBasis.permitValidUntil", "a permit needs its valid-until date");
            }
            else if (c.Status == CameraStatus.Active && b.PermitValidUntil < today)
            {
                fail("legalBasis.permitValidUntil", $"the permit expired on {b.PermitValidUntil:yyyy-MM-dd}; document a balancing of interests or decommission the camera");
            }
        }
    }

    private static void CheckHours(CameraInput c, Action<string, string> fail)
    {
        AllowedHours? hours = null;
        if (c.AllowedHours is not null && !AllowedHours.TryParse(c.AllowedHours, out hours, out var error))
        {
            fail("allowedHours", error!);
        }

        if (c.Status == CameraStatus.Active && c.AllowedHours is null)
        {
            fail("allowedHours", "an active camera needs allowed hours ('always' when unrestricted)");
        }

        if (IsSchool(c.Category) && (c.AllowedHours is null || hours?.IsAlways == true))
        {
            fail("allowedHours", "a school camera may film only at set hours (IMY: nights and weekends), not always");
        }
    }

    private static void CheckMasking(CameraInput c, Action<string, string> fail)
    {
        var m = c.Masking;
        if (IsSchool(c.Category) && m.Kind != MaskingKind.FacadeDistance)
        {
            fail("masking.kind", "a school camera needs a FacadeDistance masking profile (IMY: façade and two metres out)");
        }

        if (m.Kind == MaskingKind.FacadeDistance)
        {
            if (m.KeepDistanceMetres is null or <= 0 or > 50)
            {
                fail("masking.keepDistanceMetres", "keep distance must be above 0 and at most 50 m");
            }
            else if (IsSchool(c.Category) && m.KeepDistanceMetres > SchoolMaxKeepDistanceMetres)
            {
                fail("masking.keepDistanceMetres", $"a school camera may keep at most {SchoolMaxKeepDistanceMetres} m from the façade");
            }
        }

        if (m.Kind == MaskingKind.PrivacyPolygons)
        {
            if (m.Polygons.Count == 0)
            {
                fail("masking.polygons", "a PrivacyPolygons profile needs at least one polygon");
            }

            for (var i = 0; i < m.Polygons.Count; i++)
            {
                var p = m.Polygons[i];
                if (p.Count < 3 || p.Any(pt => pt.Length != 2 || pt[0] < 0 || pt[1] < 0))
                {
                    fail($"masking.polygons[{i}]", "a polygon needs at least three [x, y] points with non-negative pixel coordinates");
                }
            }
        }
    }

    /// <summary>Schools and preschools fall under IMY's school guidance.</summary>
    public static bool IsSchool(CameraCategory category) => category is CameraCategory.School or CameraCategory.Preschool;

    private static void CheckLengths(CameraInput c, Action<string, string> fail)
    {
        var b = c.LegalBasis;
        FieldLimits.Check(
            fail,
            ("name", c.Name, FieldLimits.Name), ("vendor", c.Vendor, FieldLimits.Reference), ("model", c.Model, FieldLimits.Reference),
            ("firmware", c.Firmware, FieldLimits.Reference), ("rtspUrl", c.RtspUrl, FieldLimits.Url), ("onvifUrl", c.OnvifUrl, FieldLimits.Url),
            ("username", c.Username, FieldLimits.UserName), ("password", c.Password, FieldLimits.Password),
            ("ownerId", c.OwnerId, FieldLimits.Id), ("siteId", c.SiteId, FieldLimits.Id), ("allowedHours", c.AllowedHours, FieldLimits.Reference),
            ("legalBasis.reference", b.Reference, FieldLimits.Reference), ("legalBasis.decidedBy", b.DecidedBy, FieldLimits.Reference),
            ("legalBasis.weighing", b.Weighing, FieldLimits.Text), ("legalBasis.gdprArticle", b.GdprArticle, FieldLimits.Reference),
            ("legalBasis.purpose", b.Purpose, FieldLimits.Purpose), ("signage.text", c.Signage.Text, FieldLimits.Text));
        foreach (var partner in c.SharingPartnerIds)
        {
            FieldLimits.Check(fail, ("sharingPartnerIds", partner, FieldLimits.Id));
        }
    }
}
