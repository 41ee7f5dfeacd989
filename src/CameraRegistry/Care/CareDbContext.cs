using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.CameraRegistry.Care;

/// <summary>Care supervision: decisions and their history, planned visits, looks and care-unit staff.</summary>
public class CareDbContext : DbContext
{
    public CareDbContext(DbContextOptions<CareDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the provider's subclass (its own migrations), which brings options of its own type.</summary>
    protected CareDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public const string MigrationsTable = "__CareMigrations";

    public DbSet<CareDecision> Decisions => Set<CareDecision>();
    public DbSet<CareDecisionChange> DecisionHistory => Set<CareDecisionChange>();
    public DbSet<CareVisit> Visits => Set<CareVisit>();
    public DbSet<CareLook> Looks => Set<CareLook>();
    public DbSet<CareStaffMember> Staff => Set<CareStaffMember>();
    public DbSet<CarePlannedDay> PlannedDays => Set<CarePlannedDay>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var builder = modelBuilder;
        builder.Entity<CareDecision>(e =>
        {
            e.ToTable("CareDecisions");
            e.HasKey(d => d.Id);
            e.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(d => d.CameraId);
            e.HasIndex(d => d.CareUnit);
            e.HasIndex(d => d.DecisionReference).IsUnique();
        });
        builder.Entity<CareDecisionChange>(e =>
        {
            e.ToTable("CareDecisionHistory");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.DecisionId, c.Version });
        });
        builder.Entity<CareVisit>(e =>
        {
            e.ToTable("CareVisits");
            e.HasKey(v => v.Id);
            e.Property(v => v.State).HasConversion<string>().HasMaxLength(16);
            e.Property(v => v.Outcome).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(v => new { v.DecisionId, v.PlannedAtUtc }).IsUnique();
            e.HasIndex(v => new { v.State, v.WindowEndUtc });
            e.HasIndex(v => new { v.CareUnit, v.PlannedAtUtc });
        });
        builder.Entity<CareLook>(e =>
        {
            e.ToTable("CareLooks");
            e.HasKey(l => l.Id);
            e.HasIndex(l => new { l.CameraId, l.EndsAtUtc });
            e.HasIndex(l => l.VisitId);
        });
        builder.Entity<CareStaffMember>(e =>
        {
            e.ToTable("CareStaff");
            e.HasKey(s => new { s.UserName, s.CareUnit });
        });
        builder.Entity<CarePlannedDay>(e =>
        {
            e.ToTable("CarePlannedDays");
            e.HasKey(d => d.Day);
        });
    }
}

/// <summary>Lets `dotnet ef migrations add` build the care context without the host.</summary>
public sealed class CareDesignTimeFactory : IDesignTimeDbContextFactory<CareDbContext>
{
    public CareDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CareDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(CareDbContext.MigrationsTable))
            .Options);
}
