using CameraHub.StreamBroker.Onvif.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>The alarm desk's tables (camera events, alarms, comments, bookmarks, event intake settings), own migration history.</summary>
public class AlarmsDbContext : DbContext
{
    public AlarmsDbContext(DbContextOptions<AlarmsDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the provider's subclass (its own migrations), which brings options of its own type.</summary>
    protected AlarmsDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Alarms keep their own migration history so they can share the database file with the other modules.</summary>
    public const string MigrationsTable = "__AlarmsMigrations";

    public DbSet<CameraEventRecord> CameraEvents => Set<CameraEventRecord>();

    public DbSet<Alarm> Alarms => Set<Alarm>();

    public DbSet<AlarmComment> AlarmComments => Set<AlarmComment>();

    public DbSet<Bookmark> Bookmarks => Set<Bookmark>();

    public DbSet<EventIntakeSetting> EventIntake => Set<EventIntakeSetting>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CameraEventRecord>(e =>
        {
            e.ToTable("CameraEvents");
            e.HasKey(x => x.Id);
            e.Property(x => x.CameraId).HasMaxLength(64);
            e.Property(x => x.Topic).HasMaxLength(400);
            e.Property(x => x.Operation).HasMaxLength(40);
            e.HasIndex(x => new { x.CameraId, x.OccurredUtcTicks });
            e.HasIndex(x => x.ReceivedUtcTicks);
        });
        modelBuilder.Entity<Alarm>(e =>
        {
            e.ToTable("Alarms");
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasMaxLength(80);
            e.Property(x => x.Key).HasMaxLength(200);
            e.Property(x => x.CameraId).HasMaxLength(64);
            e.Property(x => x.OwnerId).HasMaxLength(64);
            e.Property(x => x.Text).HasMaxLength(1000);
            e.Property(x => x.AcknowledgedBy).HasMaxLength(200);
            e.Property(x => x.ClosedBy).HasMaxLength(200);
            e.Property(x => x.Outcome).HasMaxLength(1000);
            e.HasIndex(x => new { x.State, x.RaisedUtcTicks });
            e.HasIndex(x => new { x.Kind, x.Key, x.State });
            e.Property(x => x.Repeats).HasDefaultValue(1);
            e.HasMany(x => x.Comments).WithOne().HasForeignKey(c => c.AlarmId);
        });
        modelBuilder.Entity<AlarmComment>(e =>
        {
            e.ToTable("AlarmComments");
            e.HasKey(x => x.Id);
            e.Property(x => x.Author).HasMaxLength(200);
            e.Property(x => x.Text).HasMaxLength(2000);
        });
        modelBuilder.Entity<Bookmark>(e =>
        {
            e.ToTable("Bookmarks");
            e.HasKey(x => x.Id);
            e.Property(x => x.CameraId).HasMaxLength(64);
            e.Property(x => x.Note).HasMaxLength(2000);
            e.Property(x => x.CreatedBy).HasMaxLength(200);
            e.HasIndex(x => new { x.CameraId, x.AtUtcTicks });
        });
        modelBuilder.Entity<EventIntakeSetting>(e =>
        {
            e.ToTable("EventIntake");
            e.HasKey(x => x.CameraId);
            e.Property(x => x.CameraId).HasMaxLength(64);
            e.Property(x => x.ChangedBy).HasMaxLength(200);
        });
    }
}

/// <summary>How urgent an alarm is; the queue sorts by it first.</summary>
public enum AlarmSeverity
{
    Info = 1,
    Warning = 2,
    Major = 3,
    Critical = 4,
}

/// <summary>Where an alarm is in its life: new, acknowledged by someone, closed with an outcome.</summary>
public enum AlarmState
{
    New = 1,
    Acknowledged = 2,
    Closed = 3,
}

/// <summary>One event a camera reported, as received (raw topic and message kept).</summary>
public sealed class CameraEventRecord
{
    public long Id { get; set; }
    public required string CameraId { get; set; }
    public CameraEventCategory Category { get; set; }
    /// <summary>The topic as the camera sent it, e.g. "tns1:RuleEngine/CellMotionDetector/Motion".</summary>
    public required string Topic { get; set; }
    public string? Operation { get; set; }
    public bool? Active { get; set; }
    /// <summary>UTC ticks in our clock (camera time minus its skew).</summary>
    public long OccurredUtcTicks { get; set; }
    /// <summary>UTC ticks: when the hub received it.</summary>
    public long ReceivedUtcTicks { get; set; }
    /// <summary>The NotificationMessage XML as received.</summary>
    public required string RawXml { get; set; }

    public DateTimeOffset OccurredAt => new(OccurredUtcTicks, TimeSpan.Zero);
}

/// <summary>An alarm in the queue: a camera event that a rule made one, or one of the hub's own.</summary>
public sealed class Alarm
{
    public long Id { get; set; }
    /// <summary>"camera.Motion", "camera.Tamper", … or the hub's own kind, e.g. "hub.CameraOffline".</summary>
    public required string Kind { get; set; }
    /// <summary>What the alarm is about, so a cause raised twice stays one open alarm (e.g. the camera id).</summary>
    public required string Key { get; set; }
    public AlarmSeverity Severity { get; set; }
    public AlarmState State { get; set; } = AlarmState.New;
    public string? CameraId { get; set; }
    /// <summary>The owner concerned (the camera's owner for camera alarms), for visibility of the hub's own alarms.</summary>
    public string? OwnerId { get; set; }
    /// <summary>A sentence a person can act on.</summary>
    public required string Text { get; set; }
    /// <summary>The camera event that raised it, if any.</summary>
    public long? EventId { get; set; }
    /// <summary>UTC ticks: when it happened (the event's time in our clock).</summary>
    public long OccurredUtcTicks { get; set; }
    /// <summary>UTC ticks: when the hub raised it.</summary>
    public long RaisedUtcTicks { get; set; }
    /// <summary>How many times its cause occurred: repeats of a camera's alarm kind are folded into one alarm.</summary>
    public int Repeats { get; set; } = 1;
    /// <summary>UTC ticks: the latest folded occurrence; null while it occurred once.</summary>
    public long? LastOccurredUtcTicks { get; set; }
    /// <summary>UTC ticks: when the cause went away by itself (hub alarms); the alarm stays until closed.</summary>
    public long? ClearedUtcTicks { get; set; }
    public string? AcknowledgedBy { get; set; }
    public long? AcknowledgedUtcTicks { get; set; }
    public string? ClosedBy { get; set; }
    public long? ClosedUtcTicks { get; set; }
    public string? Outcome { get; set; }
    public List<AlarmComment> Comments { get; set; } = [];
}

/// <summary>A note an operator adds to an alarm.</summary>
public sealed class AlarmComment
{
    public long Id { get; set; }
    public long AlarmId { get; set; }
    public required string Author { get; set; }
    public required string Text { get; set; }
    /// <summary>UTC ticks.</summary>
    public long AtUtcTicks { get; set; }
}

/// <summary>A mark on a camera's recordings with a note. Does not extend retention (a legal hold does).</summary>
public sealed class Bookmark
{
    public long Id { get; set; }
    public required string CameraId { get; set; }
    /// <summary>UTC ticks: the moment marked.</summary>
    public long AtUtcTicks { get; set; }
    /// <summary>UTC ticks: the end of the marked span; equal to <see cref="AtUtcTicks"/> for a point.</summary>
    public long ToUtcTicks { get; set; }
    public required string Note { get; set; }
    public required string CreatedBy { get; set; }
    /// <summary>UTC ticks.</summary>
    public long CreatedUtcTicks { get; set; }
}

/// <summary>The per-camera switch for ONVIF event intake (kept here, not on the camera row, so the registry's schema is untouched).</summary>
public sealed class EventIntakeSetting
{
    public required string CameraId { get; set; }
    public bool Enabled { get; set; }
    /// <summary>Categories whose events become alarms on this camera; null: the category defaults (<see cref="AlarmRules"/>).</summary>
    public CameraEventCategory[]? AlarmCategories { get; set; }
    public required string ChangedBy { get; set; }
    /// <summary>UTC ticks.</summary>
    public long ChangedUtcTicks { get; set; }
}

/// <summary>Lets `dotnet ef migrations add` build the context without the host.</summary>
public sealed class AlarmsDesignTimeFactory : IDesignTimeDbContextFactory<AlarmsDbContext>
{
    public AlarmsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AlarmsDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(AlarmsDbContext.MigrationsTable))
            .Options);
}
