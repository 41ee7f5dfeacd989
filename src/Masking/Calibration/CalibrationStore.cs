using CameraHub.Masking.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.Masking.Calibration;

/// <summary>Reads and writes camera calibrations; refuses to store one that fails validation.</summary>
public sealed class CalibrationStore(MaskingDbContext db, TimeProvider time)
{
    /// <summary>The stored calibration of <paramref name="cameraId"/>, or null.</summary>
    public async Task<(CameraCalibration Calibration, DateTime UpdatedAtUtc)?> FindAsync(string cameraId, CancellationToken ct)
    {
        var record = await db.CameraCalibrations.AsNoTracking().FirstOrDefaultAsync(c => c.CameraId == cameraId, ct);
        return record is null ? null : (record.ToCalibration(), record.UpdatedAtUtc);
    }

    /// <summary>Validates, then inserts or replaces the calibration; throws <see cref="CalibrationRejectedException"/> when bad.</summary>
    public async Task<ValidatedCalibration> SaveAsync(CameraCalibration calibration, CancellationToken ct)
    {
        var validated = CalibrationValidator.Validate(calibration);
        var now = time.GetUtcNow().UtcDateTime;
        var record = await db.CameraCalibrations.FirstOrDefaultAsync(c => c.CameraId == calibration.CameraId, ct);
        if (record is null)
        {
            record = new CalibrationRecord { CameraId = calibration.CameraId, PointsJson = "[]", FacadeJson = "[]" };
            db.CameraCalibrations.Add(record);
        }

        record.CopyFrom(calibration, now);
        await db.SaveChangesAsync(ct);
        return validated;
    }

    /// <summary>True when no calibration is stored yet.</summary>
    public async Task<bool> IsEmptyAsync(CancellationToken ct) => !await db.CameraCalibrations.AnyAsync(ct);
}
