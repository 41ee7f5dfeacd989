using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Schedules;

namespace CameraHub.CameraRegistry.Reports;

/// <summary>Prices and defaults behind the cost analysis (configuration section <c>CameraHub:Costs</c>).</summary>
public sealed class CostAssumptions
{
    /// <summary>SEK per terabyte of retained footage per year (disk, backup, operation).</summary>
    public decimal StorageSekPerTerabyteYear { get; set; } = 3000m;
    /// <summary>SEK per hour of operator time, overhead included.</summary>
    public decimal StaffSekPerHour { get; set; } = 550m;
    /// <summary>Hours a year spent following up recorded footage per recording camera (incident searches, exports).</summary>
    public double FollowUpHoursPerRecordedCameraYear { get; set; } = 2;
    /// <summary>Bitrate (kbit/s) assumed per category when the broker has not measured one.</summary>
    public Dictionary<CameraCategory, double> DefaultBitrateKbps { get; set; } = new()
    {
        [CameraCategory.School] = 2048, [CameraCategory.Preschool] = 2048, [CameraCategory.Traffic] = 4096,
        [CameraCategory.TechnicalFacility] = 4096, [CameraCategory.HousingGarage] = 2048,
        [CameraCategory.PublicSquare] = 4096, [CameraCategory.CareHome] = 1024,
        [CameraCategory.PoliceExternal] = 4096, [CameraCategory.Other] = 2048,
    };
}

/// <summary>One owner and category's yearly costs, split into what live viewing and what stored footage costs.</summary>
public sealed record CostRow(
    string OwnerId,
    string OwnerName,
    string Category,
    int Cameras,
    int LiveCameras,
    int RecordedCameras,
    decimal EquipmentPerYear,
    decimal InstallationPerYear,
    decimal MaintenancePerYear,
    decimal LeasePerYear,
    double StoredTerabytes,
    decimal StoragePerYear,
    decimal MonitoringStaffPerYear,
    decimal FollowUpStaffPerYear,
    decimal TotalPerYear,
    decimal LiveCostPerYear,
    decimal StoredCostPerYear);

/// <summary>
/// The city's task (c): yearly cost of live versus stored footage. Equipment and installation are depreciated
/// linearly; storage is bitrate × recorded hours (from allowed hours) × retention; staff is monitoring hours for live
/// cameras and follow-up hours for recorded ones. Hardware of a camera that is both live and recorded is split evenly.
/// </summary>
public sealed record CostReport(DateTime GeneratedAt, CostAssumptions Assumptions, IReadOnlyList<CostRow> Rows, CostRow Total)
{
    public static CostReport Build(IReadOnlyList<Camera> all, IReadOnlyDictionary<string, string> ownerNames, CostAssumptions a, DateTime now)
    {
        var rows = all.Where(c => c.Status != CameraStatus.Decommissioned)
            .GroupBy(c => (c.OwnerId, c.Category))
            .Select(g => Row(g.Key.OwnerId, ownerNames.GetValueOrDefault(g.Key.OwnerId, g.Key.OwnerId), g.Key.Category.ToString(), g.ToList(), a))
            .OrderBy(r => r.OwnerName, StringComparer.Ordinal).ThenBy(r => r.Category, StringComparer.Ordinal)
            .ToList();
        var total = new CostRow(
            "*", "All owners", "*", rows.Sum(r => r.Cameras), rows.Sum(r => r.LiveCameras), rows.Sum(r => r.RecordedCameras),
            rows.Sum(r => r.EquipmentPerYear), rows.Sum(r => r.InstallationPerYear), rows.Sum(r => r.MaintenancePerYear),
            rows.Sum(r => r.LeasePerYear), rows.Sum(r => r.StoredTerabytes), rows.Sum(r => r.StoragePerYear),
            rows.Sum(r => r.MonitoringStaffPerYear), rows.Sum(r => r.FollowUpStaffPerYear), rows.Sum(r => r.TotalPerYear),
            rows.Sum(r => r.LiveCostPerYear), rows.Sum(r => r.StoredCostPerYear));
        return new CostReport(now, a, rows, total);
    }

    /// <summary>Terabytes a camera keeps on disk at steady state.</summary>
    public static double StoredTerabytes(Camera c, CostAssumptions a)
    {
        if (c.Mode == CameraMode.LiveOnly || c.RetentionDays is not > 0)
        {
            return 0;
        }

        var kbps = c.MeasuredBitrateKbps ?? a.DefaultBitrateKbps.GetValueOrDefault(c.Category, 2048);
        var hoursPerWeek = c.AllowedHours is not null && AllowedHours.TryParse(c.AllowedHours, out var h, out _) ? h!.HoursPerWeek : 168;
        var bytesPerDay = kbps * 1000 / 8 * 3600 * (hoursPerWeek / 7);
        return bytesPerDay * c.RetentionDays.Value / 1e12;
    }

    private static CostRow Row(string ownerId, string ownerName, string category, List<Camera> cameras, CostAssumptions a)
    {
        decimal equipment = 0, installation = 0, maintenance = 0, lease = 0, storage = 0, monitoring = 0, followUp = 0, live = 0, stored = 0;
        double terabytes = 0;
        foreach (var c in cameras)
        {
            var years = Math.Max(1, c.Costs.DepreciationYears);
            var eq = c.Costs.EquipmentSek / years;
            var inst = c.Costs.InstallationSek / years;
            var hardware = eq + inst + c.Costs.MaintenanceSekPerYear + c.Costs.LeaseSekPerYear;
            var tb = StoredTerabytes(c, a);
            var st = (decimal)tb * a.StorageSekPerTerabyteYear;
            var mon = (decimal)(c.Costs.MonitoringHoursPerWeek * 52) * a.StaffSekPerHour;
            var fu = c.Mode == CameraMode.LiveOnly ? 0m : (decimal)a.FollowUpHoursPerRecordedCameraYear * a.StaffSekPerHour;
            var liveShare = c.Mode switch { CameraMode.LiveOnly => 1m, CameraMode.RecordedOnly => 0m, _ => 0.5m };

            equipment += eq;
            installation += inst;
            maintenance += c.Costs.MaintenanceSekPerYear;
            lease += c.Costs.LeaseSekPerYear;
            terabytes += tb;
            storage += st;
            monitoring += mon;
            followUp += fu;
            live += (hardware * liveShare) + mon;
            stored += (hardware * (1 - liveShare)) + st + fu;
        }

        static decimal R(decimal v) => Math.Round(v, 0, MidpointRounding.AwayFromZero);
        return new CostRow(
            ownerId, ownerName, category, cameras.Count,
            cameras.Count(c => c.Mode != CameraMode.RecordedOnly), cameras.Count(c => c.Mode != CameraMode.LiveOnly),
            R(equipment), R(installation), R(maintenance), R(lease), Math.Round(terabytes, 3), R(storage), R(monitoring), R(followUp),
            R(equipment + installation + maintenance + lease + storage + monitoring + followUp), R(live), R(stored));
    }
}
