using System.Text.Json;
using CameraHub.Masking.Calibration;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.Masking.Persistence;

/// <summary>The masking module's tables in the shared database, with their own migration history.</summary>
public class MaskingDbContext : DbContext
{
    public MaskingDbContext(DbContextOptions<MaskingDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the provider's subclass (its own migrations), which brings options of its own type.</summary>
    protected MaskingDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Masking keeps its own migration history so it can share the database file with the other modules.</summary>
    public const string MigrationsTable = "__MaskingMigrations";

    public DbSet<CalibrationRecord> CameraCalibrations => Set<CalibrationRecord>();
    public DbSet<Evidence.EvidenceRequest> EvidenceRequests => Set<Evidence.EvidenceRequest>();
    public DbSet<History.MaskVersion> MaskVersions => Set<History.MaskVersion>();
    public DbSet<Evidence.EvidenceUnmasking> EvidenceUnmaskings => Set<Evidence.EvidenceUnmasking>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CalibrationRecord>(e =>
        {
            e.ToTable("CameraCalibrations");
            e.HasKey(c => c.CameraId);
            e.Property(c => c.CameraId).HasMaxLength(64);
            e.Property(c => c.UpdatedAtUtc).HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        });

        modelBuilder.Entity<Evidence.EvidenceRequest>(e =>
        {
            e.ToTable("EvidenceRequests");
            e.HasKey(r => r.Id);
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.CameraIds).HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
                v => JsonSerializer.Deserialize<List<string>>(v, JsonSerializerOptions.Web) ?? new List<string>(),
                new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<string>>((a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
            e.Property(r => r.HoldIds).HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
                v => JsonSerializer.Deserialize<List<Guid>>(v, JsonSerializerOptions.Web) ?? new List<Guid>(),
                new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<Guid>>((a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
            foreach (var property in new[] { nameof(Evidence.EvidenceRequest.FromUtc), nameof(Evidence.EvidenceRequest.ToUtc), nameof(Evidence.EvidenceRequest.CreatedAtUtc) })
            {
                e.Property<DateTime>(property).HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
            }

            foreach (var property in new[] { nameof(Evidence.EvidenceRequest.DecidedAtUtc), nameof(Evidence.EvidenceRequest.ReadyAtUtc), nameof(Evidence.EvidenceRequest.ExpiresAtUtc) })
            {
                e.Property<DateTime?>(property).HasConversion(v => v, v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
            }

            e.HasIndex(r => r.Status);
        });

        modelBuilder.Entity<History.MaskVersion>(e =>
        {
            e.ToTable("MaskVersions");
            e.HasKey(v => v.Id);
            e.Property(v => v.CameraId).HasMaxLength(64);
            e.Property(v => v.Kind).HasMaxLength(32);
            e.Property(v => v.DefinitionSha256).HasMaxLength(64);
            e.Property(v => v.ChangedBy).HasMaxLength(128);
            e.Property(v => v.Change).HasMaxLength(128);
            e.Property(v => v.ValidFromUtc).HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
            e.HasIndex(v => new { v.CameraId, v.Version }).IsUnique();
        });

        modelBuilder.Entity<Evidence.EvidenceUnmasking>(e =>
        {
            e.ToTable("EvidenceUnmaskings");
            e.HasKey(u => new { u.EvidenceRequestId, u.CameraId });
            e.Property(u => u.CameraId).HasMaxLength(64);
        });
    }
}

/// <summary>One camera's calibration as stored: pairs and façade as JSON, the rest as columns.</summary>
public sealed class CalibrationRecord
{
    public required string CameraId { get; set; }
    /// <summary>JSON array of {imageX, imageY, groundX, groundY}; image in pixels, ground in metres.</summary>
    public required string PointsJson { get; set; }
    /// <summary>JSON array of [x, y] in metres in the site frame; closed when first equals last (building outline).</summary>
    public required string FacadeJson { get; set; }
    /// <summary>Metres.</summary>
    public double KeepDistanceMetres { get; set; }
    /// <summary>Pixels; the size of the pictures the pairs were measured on.</summary>
    public int ImageWidth { get; set; }
    public int ImageHeight { get; set; }
    /// <summary>UTC.</summary>
    public DateTime UpdatedAtUtc { get; set; }

    public CameraCalibration ToCalibration() => new()
    {
        CameraId = CameraId,
        Points = JsonSerializer.Deserialize<List<CalibrationPoint>>(PointsJson, JsonSerializerOptions.Web) ?? [],
        Facade = JsonSerializer.Deserialize<List<double[]>>(FacadeJson, JsonSerializerOptions.Web) ?? [],
        KeepDistanceMetres = KeepDistanceMetres,
        ImageWidth = ImageWidth,
        ImageHeight = ImageHeight,
    };

    public void CopyFrom(CameraCalibration calibration, DateTime updatedAtUtc)
    {
        PointsJson = JsonSerializer.Serialize(calibration.Points, JsonSerializerOptions.Web);
        FacadeJson = JsonSerializer.Serialize(calibration.Facade, JsonSerializerOptions.Web);
        KeepDistanceMetres = calibration.KeepDistanceMetres;
        ImageWidth = calibration.ImageWidth;
        ImageHeight = calibration.ImageHeight;
        UpdatedAtUtc = updatedAtUtc;
    }
}
