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
