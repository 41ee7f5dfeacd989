using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.MaskLifts;
using CameraHub.CameraRegistry.Sharing;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.CameraRegistry.Persistence;

/// <summary>Users, roles, grants and the audit log: who may see what, and who saw what.</summary>
public class AccessDbContext : IdentityDbContext<HubUser>
{
    public AccessDbContext(DbContextOptions<AccessDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the provider's subclass (its own migrations), which brings options of its own type.</summary>
    protected AccessDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public const string MigrationsTable = "__AccessMigrations";

    public DbSet<Grant> Grants => Set<Grant>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();
    public DbSet<SharingAgreement> SharingAgreements => Set<SharingAgreement>();
    public DbSet<PartnerCredential> PartnerCredentials => Set<PartnerCredential>();
    public DbSet<MaskLift> MaskLifts => Set<MaskLift>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Grant>(e =>
        {
            e.ToTable("Grants");
            e.HasKey(g => g.Id);
            e.Property(g => g.SubjectKind).HasConversion<string>().HasMaxLength(16);
            e.Property(g => g.ScopeKind).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(g => new { g.SubjectKind, g.Subject });
        });

        builder.Entity<AuditEntry>(e =>
        {
            e.ToTable("AuditEntries");
            e.HasKey(a => a.Sequence);
            e.Property(a => a.Sequence).ValueGeneratedNever();
            e.Ignore(a => a.AtUtc);
            e.HasIndex(a => new { a.CameraId, a.AtTicks });
            e.HasIndex(a => new { a.Actor, a.AtTicks });
            e.HasIndex(a => a.AtTicks);
        });

        builder.Entity<AuditCheckpoint>(e =>
        {
            e.ToTable("AuditCheckpoints");
            e.HasKey(c => c.Id);
            e.Ignore(c => c.AtUtc);
            e.Property(c => c.HeadHash).HasMaxLength(64);
            e.Property(c => c.KeyFingerprint).HasMaxLength(64);
            e.HasIndex(c => c.Sequence);
        });

        builder.Entity<SharingAgreement>(e =>
        {
            e.ToTable("SharingAgreements");
            e.HasKey(a => a.Id);
            e.Property(a => a.Category).HasConversion<string>().HasMaxLength(32);
            e.Property(a => a.Protocols).HasConversion<string>().HasMaxLength(32);
            e.HasIndex(a => a.PartnerId);
        });

        builder.Entity<PartnerCredential>(e =>
        {
            e.ToTable("PartnerCredentials");
            e.HasKey(c => c.Id);
            e.HasIndex(c => c.UserName).IsUnique();
            e.HasIndex(c => c.PartnerId);
        });

        builder.Entity<MaskLift>(e =>
        {
            e.ToTable("MaskLifts");
            e.HasKey(l => l.Id);
            e.Property(l => l.CameraId).HasMaxLength(64);
            e.Property(l => l.RequestedBy).HasMaxLength(128);
            e.Property(l => l.ApprovedBy).HasMaxLength(128);
            e.Property(l => l.EndedBy).HasMaxLength(128);
            e.Property(l => l.Status).HasConversion<string>().HasMaxLength(16);
            foreach (var property in new[] { nameof(MaskLift.PlaybackFromUtc), nameof(MaskLift.PlaybackToUtc), nameof(MaskLift.ApprovedAtUtc),
                nameof(MaskLift.ExpiresAtUtc), nameof(MaskLift.EndedAtUtc) })
            {
                e.Property<DateTime?>(property).HasConversion(v => v, v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
            }

            e.Property(l => l.RequestedAtUtc).HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
            e.HasIndex(l => new { l.CameraId, l.RequestedBy, l.Status });
        });
    }
}

/// <summary>Lets `dotnet ef migrations add` build the access context without the host.</summary>
public sealed class AccessDesignTimeFactory : IDesignTimeDbContextFactory<AccessDbContext>
{
    public AccessDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AccessDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(AccessDbContext.MigrationsTable))
            .Options);
}
