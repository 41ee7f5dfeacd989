using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.StreamBroker.Recording;

/// <summary>Recording's tables in the shared database (segment index and legal holds), with their own migration history.</summary>
public class RecordingDbContext : DbContext
{
    public RecordingDbContext(DbContextOptions<RecordingDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the provider's subclass (its own migrations), which brings options of its own type.</summary>
    protected RecordingDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Recording keeps its own migration history so it can share the database file with the other modules.</summary>
    public const string MigrationsTable = "__RecordingMigrations";

    public DbSet<RecordingSegment> RecordingSegments => Set<RecordingSegment>();

    public DbSet<LegalHold> LegalHolds => Set<LegalHold>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RecordingSegment>(e =>
        {
            e.ToTable("RecordingSegments");
            e.HasKey(s => s.Id);
            e.Property(s => s.CameraId).HasMaxLength(64);
            e.Property(s => s.Path).HasMaxLength(400);
            e.Property(s => s.Node).HasMaxLength(100);
            e.HasIndex(s => new { s.CameraId, s.StartUtcTicks });
            e.HasIndex(s => s.Path).IsUnique();
        });
        modelBuilder.Entity<LegalHold>(e =>
        {
            e.ToTable("LegalHolds");
            e.HasKey(h => h.Id);
            e.Property(h => h.Id).HasMaxLength(40);
            e.Property(h => h.CameraId).HasMaxLength(64);
            e.Property(h => h.CaseNumber).HasMaxLength(100);
            e.Property(h => h.CreatedBy).HasMaxLength(200);
            e.Property(h => h.ReleasedBy).HasMaxLength(200);
            e.HasIndex(h => h.CameraId);
        });
    }
}

/// <summary>Where a segment's row is in its life (design: mark, unlink, delete).</summary>
public enum SegmentState
{
    Complete = 1,
    /// <summary>Marked for deletion; the file may or may not be gone yet (finished on the next start).</summary>
    Deleting = 2,
    /// <summary>The file vanished behind the index's back; kept so the hole shows as a gap with a reason.</summary>
    Missing = 3,
}

/// <summary>One closed segment file: camera, time range and where it lies.</summary>
public sealed class RecordingSegment
{
    public long Id { get; set; }
    public required string CameraId { get; set; }
    /// <summary>UTC, 100 ns ticks since 0001-01-01 (DateTime ticks).</summary>
    public long StartUtcTicks { get; set; }
    /// <summary>UTC, 100 ns ticks; start plus the summed fragment durations.</summary>
    public long EndUtcTicks { get; set; }
    /// <summary>Relative to the storage root, '/' separated.</summary>
    public required string Path { get; set; }
    /// <summary>File size in bytes.</summary>
    public long Bytes { get; set; }
    public SegmentState State { get; set; } = SegmentState.Complete;
    /// <summary>The node that wrote it (null for rows from before issue #17 and for segments recovered after a crash).</summary>
    public string? Node { get; set; }

    public DateTimeOffset Start => new(StartUtcTicks, TimeSpan.Zero);
    public DateTimeOffset End => new(EndUtcTicks, TimeSpan.Zero);
}

/// <summary>Footage of a camera in [From, To] that retention must not delete until <see cref="UntilUtcTicks"/>.</summary>
public sealed class LegalHold
{
    public required string Id { get; set; }
    public required string CameraId { get; set; }
    /// <summary>UTC ticks.</summary>
    public long FromUtcTicks { get; set; }
    /// <summary>UTC ticks.</summary>
    public long ToUtcTicks { get; set; }
    public required string CaseNumber { get; set; }
    /// <summary>UTC ticks; the hold ends by itself then.</summary>
    public long UntilUtcTicks { get; set; }
    public required string CreatedBy { get; set; }
    /// <summary>UTC ticks.</summary>
    public long CreatedUtcTicks { get; set; }
    /// <summary>UTC ticks; null while not released by hand.</summary>
    public long? ReleasedUtcTicks { get; set; }
    public string? ReleasedBy { get; set; }

    /// <summary>Whether the hold protects footage at <paramref name="nowTicks"/>.</summary>
    public bool IsActive(long nowTicks) => ReleasedUtcTicks is null && UntilUtcTicks > nowTicks;

    public bool Covers(long startTicks, long endTicks) => startTicks < ToUtcTicks && endTicks > FromUtcTicks;
}

/// <summary>Lets `dotnet ef migrations add` build the context without the host.</summary>
public sealed class RecordingDesignTimeFactory : IDesignTimeDbContextFactory<RecordingDbContext>
{
    public RecordingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<RecordingDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(RecordingDbContext.MigrationsTable))
            .Options);
}
