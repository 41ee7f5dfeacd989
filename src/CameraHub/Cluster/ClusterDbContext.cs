using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.Cluster;

/// <summary>The cluster's membership table in the shared database, with its own migration history.</summary>
public class ClusterDbContext : DbContext
{
    public ClusterDbContext(DbContextOptions<ClusterDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the provider's subclass (its own migrations), which brings options of its own type.</summary>
    protected ClusterDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The cluster keeps its own migration history so it can share the database with the modules.</summary>
    public const string MigrationsTable = "__ClusterMigrations";

    public DbSet<ClusterNode> Nodes => Set<ClusterNode>();

    /// <summary>Queued jobs claimed by a node (PostgreSQL only: on SQLite the one node claims with in-process leases).</summary>
    public DbSet<JobClaimRow> JobClaims => Set<JobClaimRow>();

    /// <summary>Which node owns which camera, with the claim's epoch (issue #17; PostgreSQL only).</summary>
    public DbSet<CameraClaimRow> CameraClaims => Set<CameraClaimRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ClusterNode>(e =>
        {
            e.ToTable("ClusterNodes");
            e.HasKey(n => n.Name);
            e.Property(n => n.Name).HasMaxLength(100);
            e.Property(n => n.PublicUrl).HasMaxLength(400);
            e.Property(n => n.Version).HasMaxLength(100);
            e.HasIndex(n => n.LastHeartbeatUtcTicks);
        });
        modelBuilder.Entity<JobClaimRow>(e =>
        {
            e.ToTable("JobClaims");
            e.HasKey(c => new { c.Kind, c.Key });
            e.Property(c => c.Kind).HasMaxLength(50);
            e.Property(c => c.Key).HasMaxLength(100);
            e.Property(c => c.Node).HasMaxLength(100);
        });
        modelBuilder.Entity<CameraClaimRow>(e =>
        {
            e.ToTable("CameraClaims");
            e.HasKey(c => c.CameraId);
            e.Property(c => c.CameraId).HasMaxLength(100);
            e.Property(c => c.Node).HasMaxLength(100);
            e.HasIndex(c => c.Node);
            e.HasIndex(c => c.ChangedAtUtc);
        });
    }
}

/// <summary>One node as it last reported itself (UTC ticks, as the other modules keep times).</summary>
public sealed class ClusterNode
{
    public required string Name { get; set; }

    /// <summary>Which process wrote the row: two live nodes configured with one name are told apart (and warned about).</summary>
    public Guid InstanceId { get; set; }

    public string? PublicUrl { get; set; }

    public required string Version { get; set; }

    public long StartedUtcTicks { get; set; }

    public long LastHeartbeatUtcTicks { get; set; }

    /// <summary>Set by an administrator (POST /api/nodes/{name}/drain): the node hands its cameras over and takes none.</summary>
    public bool Drained { get; set; }

    /// <summary>The node's rendezvous weight (CameraHub:Node:Weight), written with each heartbeat.</summary>
    public double Weight { get; set; } = 1;
}

/// <summary>
/// Who owns one camera (issue #17): written by the node that took the camera's advisory lock; Node is null while nobody
/// holds it. Epoch grows by one with every new claim, so a stale owner sees it was replaced. Times are the database's.
/// </summary>
public sealed class CameraClaimRow
{
    public required string CameraId { get; set; }

    public string? Node { get; set; }

    public Guid? InstanceId { get; set; }

    public long Epoch { get; set; }

    /// <summary>When the current owner claimed it (UTC).</summary>
    public DateTime? ClaimedAtUtc { get; set; }

    /// <summary>When the row last changed (claim or release), so other nodes can see what moved since their last look.</summary>
    public DateTime ChangedAtUtc { get; set; }
}

/// <summary>
/// Who works on one queued job, until when: the claim is renewed by its node's heartbeat and may be taken by another
/// node once it has expired (its node died). Times are the database server's (now()), so node clocks do not matter.
/// </summary>
public sealed class JobClaimRow
{
    /// <summary>The queue, e.g. "evidence".</summary>
    public required string Kind { get; set; }

    /// <summary>The job within it (an evidence request's id).</summary>
    public required string Key { get; set; }

    /// <summary>The node holding the claim; null while nobody has claimed it.</summary>
    public string? Node { get; set; }

    /// <summary>The holding process (a restarted node with the same name is another holder).</summary>
    public Guid? InstanceId { get; set; }

    public DateTime? ClaimedAtUtc { get; set; }

    /// <summary>When the claim lapses unless renewed; in the past: claimable.</summary>
    public DateTime ExpiresAtUtc { get; set; }
}

/// <summary>Lets `dotnet ef migrations add` build the context without the host.</summary>
public sealed class ClusterDesignTimeFactory : IDesignTimeDbContextFactory<ClusterDbContext>
{
    public ClusterDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ClusterDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(ClusterDbContext.MigrationsTable))
            .Options);
}

/// <summary>The cluster's table on PostgreSQL: the same model, with that engine's own migrations under Cluster/PostgresMigrations.</summary>
public sealed class PostgresClusterDbContext(DbContextOptions<PostgresClusterDbContext> options) : ClusterDbContext(options);

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL cluster context without the host or a server.</summary>
public sealed class PostgresClusterDesignTimeFactory : IDesignTimeDbContextFactory<PostgresClusterDbContext>
{
    public PostgresClusterDbContext CreateDbContext(string[] args) => new(HubDatabase.PostgreSqlDesignTime<PostgresClusterDbContext>(ClusterDbContext.MigrationsTable));
}
