using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Tests.Infrastructure;

namespace CameraHub.CameraRegistry.Tests.Cameras;

public class CameraRulesTests
{
    private static readonly HashSet<string> Orgs = ["grundskolenamnden", "stadsmiljonamnden", "framtiden", "vasttrafik"];
    private static readonly CameraRuleContext Context = new(new DateOnly(2026, 11, 23), Orgs, new HashSet<string>(), Orgs);

    private static Dictionary<string, List<string>> Check(CameraInput c) => CameraRules.Validate(c, Context);

    [Fact]
    public void Sample_cameras_of_each_kind_are_valid()
    {
        Assert.Empty(Check(SampleCameras.School()));
        Assert.Empty(Check(SampleCameras.Traffic()));
        Assert.Empty(Check(SampleCameras.PermitGarage()));
    }

    [Fact]
    public void Recorded_camera_needs_retention_above_zero()
    {
        var errors = Check(SampleCameras.School() with { RetentionDays = 0 });
        Assert.Contains("retention above zero", Assert.Single(errors["retentionDays"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Live_only_camera_cannot_have_retention()
    {
        var errors = Check(SampleCameras.Traffic() with { RetentionDays = 7 });
        Assert.Contains("never records", Assert.Single(errors["retentionDays"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Active_camera_needs_a_legal_basis()
    {
        var errors = Check(SampleCameras.Traffic() with { LegalBasis = new LegalBasis() });
        Assert.Contains("legal basis", Assert.Single(errors["legalBasis.kind"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Planned_camera_may_lack_a_legal_basis()
    {
        Assert.Empty(Check(SampleCameras.Traffic() with { Status = CameraStatus.Planned, LegalBasis = new LegalBasis() }));
    }

    [Fact]
    public void Balancing_of_interests_needs_date_decider_weighing_purpose_reference_and_article()
    {
        var errors = Check(SampleCameras.Traffic() with
        {
            LegalBasis = new LegalBasis { Kind = LegalBasisKind.BalancingOfInterests, GdprArticle = "article six" },
        });
        Assert.Equal(
            ["legalBasis.decidedBy", "legalBasis.decidedOn", "legalBasis.gdprArticle", "legalBasis.purpose", "legalBasis.reference", "legalBasis.weighing"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Balancing_of_interests_dated_in_the_future_is_refused()
    {
        var c = SampleCameras.Traffic();
        var errors = Check(c with { LegalBasis = new LegalBasis { Kind = c.LegalBasis.Kind, Reference = "x", DecidedOn = new DateOnly(2027, 1, 1), DecidedBy = "x", Weighing = "x", GdprArticle = "6(1)(e)", Purpose = "x" } });
        Assert.Contains("before surveillance starts", Assert.Single(errors["legalBasis.decidedOn"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Permit_retention_may_not_exceed_the_permit()
    {
        var errors = Check(SampleCameras.PermitGarage() with { RetentionDays = 30 });
        Assert.Contains("exceeds the permit's 14 days", Assert.Single(errors["retentionDays"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Active_camera_with_expired_permit_is_refused()
    {
        var garage = SampleCameras.PermitGarage();
        garage.LegalBasis.PermitValidUntil = new DateOnly(2026, 1, 31);
        var errors = Check(garage);
        Assert.Contains("expired on 2026-01-31", Assert.Single(errors["legalBasis.permitValidUntil"]), StringComparison.Ordinal);
    }

    [Fact]
    public void School_camera_needs_facade_masking_and_restricted_hours()
    {
        var errors = Check(SampleCameras.School() with { Masking = new MaskingProfile(), AllowedHours = "always" });
        Assert.True(errors.ContainsKey("masking.kind"));
        Assert.True(errors.ContainsKey("allowedHours"));
    }

    [Fact]
    public void School_camera_may_keep_at_most_two_metres()
    {
        var errors = Check(SampleCameras.School() with { Masking = new MaskingProfile { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 3 } });
        Assert.Contains("at most 2", Assert.Single(errors["masking.keepDistanceMetres"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_owner_and_partner_are_named()
    {
        var errors = Check(SampleCameras.Traffic() with { OwnerId = "nobody", SharingPartnerIds = ["ghost"] });
        Assert.Contains("'nobody'", Assert.Single(errors["ownerId"]), StringComparison.Ordinal);
        Assert.Contains("'ghost'", Assert.Single(errors["sharingPartnerIds"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Recorded_only_camera_cannot_be_shared_live_or_monitored()
    {
        var errors = Check(SampleCameras.School() with { SharingPartnerIds = ["vasttrafik"], Costs = new CameraCosts { MonitoringHoursPerWeek = 2 } });
        Assert.True(errors.ContainsKey("sharingPartnerIds"));
        Assert.True(errors.ContainsKey("costs.monitoringHoursPerWeek"));
    }

    [Fact]
    public void Malformed_schedule_is_explained()
    {
        var errors = Check(SampleCameras.Traffic() with { AllowedHours = "Mon-Fry 08:00-17:00" });
        Assert.Contains("'Mon-Fry'", Assert.Single(errors["allowedHours"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_violation_is_reported_at_once()
    {
        var errors = Check(new CameraInput { Id = "bad id!", Status = CameraStatus.Active, Mode = CameraMode.RecordedOnly, Latitude = 100 });
        foreach (var field in new[] { "id", "name", "ownerId", "retentionDays", "legalBasis.kind", "allowedHours", "latitude", "rtspUrl" })
        {
            Assert.True(errors.ContainsKey(field), $"expected an error for {field}");
        }
    }

    [Theory]
    [InlineData("http://example/stream", "rtspUrl")]
    [InlineData("not a url", "rtspUrl")]
    public void Stream_address_must_be_rtsp(string url, string field)
    {
        Assert.True(Check(SampleCameras.Traffic() with { RtspUrl = url }).ContainsKey(field));
    }
}
