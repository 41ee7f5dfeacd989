using CameraHub.CameraRegistry.Cameras;

namespace CameraHub.CameraRegistry.Tests.Infrastructure;

/// <summary>Valid cameras of each kind, to be bent by tests into invalid ones.</summary>
public static class SampleCameras
{
    public const string SchoolHours = "Mon-Fri 20:00-06:00; Sat-Sun 17:00-07:00; holidays 17:00-07:00";

    public static CameraInput School(string id = "SKO-T-01") => new()
    {
        Id = id,
        Name = "Testskolan kamera 1",
        OwnerId = "grundskolenamnden",
        Category = CameraCategory.School,
        RtspUrl = "rtsp://127.0.0.1:8554/test",
        Mode = CameraMode.RecordedOnly,
        Status = CameraStatus.Active,
        LegalBasis = new LegalBasis
        {
            Kind = LegalBasisKind.BalancingOfInterests,
            Reference = "GRU 2025-0101",
            DecidedOn = new DateOnly(2025, 5, 2),
            DecidedBy = "Grundskolenämnden",
            Weighing = "Skadegörelse nattetid; fasad och två meter",
            GdprArticle = "6(1)(e)",
            Purpose = "Förebygga skadegörelse",
        },
        AllowedHours = SchoolHours,
        RetentionDays = 14,
        Masking = new MaskingProfile { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 },
        Costs = new CameraCosts { LeaseSekPerYear = 2400 },
    };

    public static CameraInput Traffic(string id = "TRF-T-01") => new()
    {
        Id = id,
        Name = "Trafikkamera E6",
        OwnerId = "stadsmiljonamnden",
        Category = CameraCategory.Traffic,
        RtspUrl = "rtsp://127.0.0.1:8554/traffic",
        Mode = CameraMode.LiveOnly,
        Status = CameraStatus.Active,
        LegalBasis = new LegalBasis
        {
            Kind = LegalBasisKind.BalancingOfInterests,
            Reference = "SMN 2025-0412",
            DecidedOn = new DateOnly(2025, 4, 15),
            DecidedBy = "Stadsmiljönämnden",
            Weighing = "Trafikledning",
            GdprArticle = "6(1)(e)",
            Purpose = "Trafikledning",
        },
        AllowedHours = "always",
        SharingPartnerIds = ["vasttrafik"],
        Costs = new CameraCosts { EquipmentSek = 18000, InstallationSek = 12000, MaintenanceSekPerYear = 1500, MonitoringHoursPerWeek = 6 },
    };

    public static CameraInput PermitGarage(string id = "GAR-T-01") => new()
    {
        Id = id,
        Name = "Garage Hjällbo kamera 1",
        OwnerId = "framtiden",
        Category = CameraCategory.HousingGarage,
        RtspUrl = "rtsp://127.0.0.1:8554/garage",
        Mode = CameraMode.RecordedOnly,
        Status = CameraStatus.Active,
        LegalBasis = new LegalBasis
        {
            Kind = LegalBasisKind.Permit,
            Reference = "LST 2021-501",
            DecidedOn = new DateOnly(2021, 3, 1),
            PermitValidUntil = new DateOnly(2027, 2, 28),
            PermitMaxRetentionDays = 14,
            GdprArticle = "6(1)(f)",
            Purpose = "Förebygga bilinbrott",
        },
        AllowedHours = "always",
        RetentionDays = 14,
    };
}
