using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Demo;
using CameraHub.CameraRegistry.Reports;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.CameraRegistry.Tests.Reports;

public class ReportTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Owners = new() { ["grundskolenamnden"] = "Grundskolenämnden" };
    private readonly RegistryDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static Camera Stored(CameraInput input, CameraStatus status = CameraStatus.Active, DateTime? activated = null, DateTime? ended = null)
    {
        var c = new Camera { Id = input.Id!, Name = input.Name!, OwnerId = input.OwnerId! };
        c.Category = input.Category;
        c.Mode = input.Mode;
        c.Status = status;
        c.LegalBasis = input.LegalBasis;
        c.AllowedHours = input.AllowedHours;
        c.RetentionDays = input.RetentionDays;
        c.Costs = input.Costs;
        c.Masking = input.Masking;
        c.ActivatedAtUtc = activated ?? new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        c.DecommissionedAtUtc = ended;
        return c;
    }

    [Fact]
    public void Register_keeps_ended_surveillance_for_five_years_only()
    {
        var now = new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);
        var cameras = new[]
        {
            Stored(SampleCameras.School("ONGOING")),
            Stored(SampleCameras.School("ENDED-2023"), CameraStatus.Decommissioned, new DateTime(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2023, 6, 30, 0, 0, 0, DateTimeKind.Utc)),
            Stored(SampleCameras.School("ENDED-2020"), CameraStatus.Decommissioned, new DateTime(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2020, 6, 30, 0, 0, 0, DateTimeKind.Utc)),
            Stored(SampleCameras.School("PLANNED"), CameraStatus.Planned, activated: null) is { } p ? WithoutActivation(p) : null!,
        };

        var owner = Assert.Single(RegisterReport.Build(cameras, Owners, now).Owners);

        Assert.Equal("Grundskolenämnden", owner.OwnerName);
        Assert.Equal(["ONGOING"], owner.Ongoing.Select(e => e.CameraId));
        Assert.Equal(["ENDED-2023"], owner.Ended.Select(e => e.CameraId));
        Assert.Equal("Förebygga skadegörelse", owner.Ongoing[0].Purpose);
        Assert.Equal("FacadeDistance 2 m", owner.Ongoing[0].Masking);
    }

    private static Camera WithoutActivation(Camera c)
    {
        c.ActivatedAtUtc = null;
        return c;
    }

    [Fact]
    public void Inventory_lists_bases_due_for_review_and_cameras_without_basis()
    {
        var now = new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);
        var due = SampleCameras.PermitGarage("DUE");
        due.LegalBasis.PermitValidUntil = new DateOnly(2027, 1, 15);
        var none = SampleCameras.Traffic("NONE") with { LegalBasis = new LegalBasis() };
        var cameras = new[] { Stored(SampleCameras.School()), Stored(due), Stored(none, CameraStatus.Planned), Stored(SampleCameras.PermitGarage("LATER")) };

        var report = InventoryReport.Build(cameras, Owners, now);

        Assert.Equal(4, report.Total);
        Assert.Equal(["DUE"], report.BasesDueForReview.Select(d => d.CameraId));
        Assert.Equal(["NONE"], report.WithoutLegalBasis);
        Assert.Contains(new Count("Permit", 2), report.ByLegalBasis);
    }

    [Fact]
    public void Costs_split_live_and_stored_and_compute_storage_from_bitrate_hours_and_retention()
    {
        var assumptions = new CostAssumptions { StorageSekPerTerabyteYear = 1000, StaffSekPerHour = 500, FollowUpHoursPerRecordedCameraYear = 0 };
        var school = Stored(SampleCameras.School());
        school.MeasuredBitrateKbps = 2000; // 250 kB/s × 78 h/week ÷ 7 × 14 days
        var traffic = Stored(SampleCameras.Traffic());

        var report = CostReport.Build([school, traffic], Owners, assumptions, DateTime.UnixEpoch);

        var expectedTb = 250_000.0 * 3600 * (78.0 / 7) * 14 / 1e12;
        var schoolRow = report.Rows.Single(r => r.Category == "School");
        Assert.Equal(Math.Round(expectedTb, 3), schoolRow.StoredTerabytes);
        Assert.Equal(0m, schoolRow.LiveCostPerYear);
        Assert.Equal(2400m + Math.Round((decimal)expectedTb * 1000m), schoolRow.StoredCostPerYear);
        var trafficRow = report.Rows.Single(r => r.Category == "Traffic");
        Assert.Equal(6 * 52 * 500m, trafficRow.MonitoringStaffPerYear);
        Assert.Equal((18000m / 5) + (12000m / 5) + 1500m + (6 * 52 * 500m), trafficRow.LiveCostPerYear);
        Assert.Equal(0, trafficRow.StoredTerabytes);
        Assert.Equal(schoolRow.TotalPerYear + trafficRow.TotalPerYear, report.Total.TotalPerYear);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Sample_city_loads_with_the_counts_the_city_reported()
    {
        var directory = FindSampleCity();
        await using (var db = _database.NewContext())
        {
            var loader = new SampleCityLoader(db, _database.Importer(db), _database.Time, NullLogger<SampleCityLoader>.Instance);
            Assert.True(await loader.LoadIfEmptyAsync(directory, default) > 1800);
        }

        await using var check = _database.NewContext();
        var cameras = await check.Cameras.AsNoTracking().ToListAsync();
        var owners = await check.Organisations.ToDictionaryAsync(o => o.Id, o => o.Name);
        var report = InventoryReport.Build(cameras, owners, _database.Time.GetUtcNow().UtcDateTime);
        var schools = cameras.Count(c => c.OwnerId == "grundskolenamnden" && c.Status != CameraStatus.Decommissioned);
        Assert.InRange(schools, 950, 1150);                                        // "~1,000" compulsory-school cameras
        Assert.InRange(cameras.Count(c => c.OwnerId == "framtiden"), 270, 330);  // "~300" housing cameras
        Assert.Equal(145, cameras.Count(c => c.Category == CameraCategory.CareHome));
        Assert.All(cameras.Where(c => c.Category == CameraCategory.School), c => Assert.Equal(CameraMode.RecordedOnly, c.Mode));
        Assert.NotEmpty(report.BasesDueForReview);
        Assert.NotEmpty(report.WithoutLegalBasis);
        var register = RegisterReport.Build(cameras, owners, _database.Time.GetUtcNow().UtcDateTime);
        Assert.Contains(register.Owners, o => o.Ended.Count > 0);
    }

    internal static string FindSampleCity()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "goteborg");
            if (File.Exists(Path.Combine(candidate, "cameras.csv")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/goteborg not found above the test binaries");
    }
}
