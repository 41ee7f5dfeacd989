using CameraHub.CameraRegistry.Persistence;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.CameraRegistry.Secrets;

/// <summary>
/// The Data Protection key ring and the installation's protected key blobs (token, audit-checkpoint and evidence signing
/// keys) in the shared PostgreSQL database, so every node opens the same secrets, cookies and tokens. Each ring row is
/// one key's XML as the host's key-encryption key wrapped it, each blob is protected by that ring: the database alone
/// reveals no key. PostgreSQL only (migrations under Secrets/PostgresMigrations): on SQLite one process owns the data
/// directory, and both stay in data/keys as before.
/// </summary>
public sealed class KeyRingDbContext(DbContextOptions<KeyRingDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public const string MigrationsTable = "__KeyRingMigrations";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<HubSecret> HubSecrets => Set<HubSecret>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
        modelBuilder.Entity<HubSecret>(e =>
        {
            e.ToTable("HubSecrets");
            e.HasKey(s => s.Name);
            e.Property(s => s.Name).HasMaxLength(100);
        });
    }
}

/// <summary>Lets `dotnet ef migrations add` build the key ring context without the host or a server.</summary>
public sealed class KeyRingDesignTimeFactory : IDesignTimeDbContextFactory<KeyRingDbContext>
{
    public KeyRingDbContext CreateDbContext(string[] args) => new(HubDatabase.PostgreSqlDesignTime<KeyRingDbContext>(KeyRingDbContext.MigrationsTable));
}

/// <summary>One protected key blob, named like its file in data/keys (e.g. token-signing.key).</summary>
public sealed class HubSecret
{
    public required string Name { get; set; }

    /// <summary>The blob as Data Protection protected it.</summary>
    public required byte[] Value { get; set; }
}
