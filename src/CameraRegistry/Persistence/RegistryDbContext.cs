using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Sites;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CameraHub.CameraRegistry.Persistence;

/// <summary>The registry's tables: organisations, sites, cameras and their history.</summary>
public class RegistryDbContext : DbContext
{
    public RegistryDbContext(DbContextOptions<RegistryDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the provider's subclass (its own migrations), which brings options of its own type.</summary>
    protected RegistryDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The registry keeps its own migration history so other modules can share the database file.</summary>
    public const string MigrationsTable = "__RegistryMigrations";

    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<Camera> Cameras => Set<Camera>();
    public DbSet<CameraChange> CameraChanges => Set<CameraChange>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Organisation>(e =>
        {
            e.ToTable("Organisations");
            e.HasKey(o => o.Id);
            e.Property(o => o.Id).HasMaxLength(64);
            e.Property(o => o.Name).HasMaxLength(200);
        });

        modelBuilder.Entity<Site>(e =>
        {
            e.ToTable("Sites");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).HasMaxLength(64);
            e.Property(s => s.Facade).HasConversion(Json<List<double[]>>(), JsonComparer<List<double[]>>());
            e.HasOne<Organisation>().WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<Camera>(e =>
        {
            e.ToTable("Cameras");
            e.HasKey(c => c.Id);
            e.Property(c => c.Id).HasMaxLength(64);
            e.Property(c => c.Name).HasMaxLength(200);
            e.Property(c => c.Category).HasConversion<string>().HasMaxLength(32);
            e.Property(c => c.Mode).HasConversion<string>().HasMaxLength(32);
            e.Property(c => c.Status).HasConversion<string>().HasMaxLength(32);
            e.Property(c => c.RtspTransport).HasConversion<string>().HasMaxLength(8);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OwnerId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Site>().WithMany().HasForeignKey(c => c.SiteId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(c => c.OwnerId);
            e.HasIndex(c => c.Category);
            e.HasIndex(c => c.Mode);
            e.HasIndex(c => c.Status);
            e.OwnsOne(c => c.LegalBasis, b =>
            {
                b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(32).HasColumnName("LegalBasisKind");
                b.Ignore(x => x.EffectiveReviewDate);
            });
            e.OwnsOne(c => c.Signage);
            e.OwnsOne(c => c.Masking, m =>
            {
                m.Property(x => x.Kind).HasConversion<string>().HasMaxLength(32).HasColumnName("MaskingKind");
                m.Property(x => x.Polygons).HasConversion(Json<List<List<double[]>>>(), JsonComparer<List<List<double[]>>>());
            });
            e.OwnsOne(c => c.Costs);
            e.Property(c => c.SharingPartnerIds).HasConversion(Json<List<string>>(), JsonComparer<List<string>>());
            e.Property(c => c.OnvifProfiles).HasConversion(Json<List<CameraStreamProfile>>(), JsonComparer<List<CameraStreamProfile>>());
        });

        modelBuilder.Entity<CameraChange>(e =>
        {
            e.ToTable("CameraChanges");
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(32);
            e.HasIndex(x => new { x.CameraId, x.AtUtc });
        });
    }

    private static ValueConverter<T, string> Json<T>() where T : new() => new(
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
        s => string.IsNullOrEmpty(s) ? new T() : JsonSerializer.Deserialize<T>(s, JsonSerializerOptions.Default) ?? new T());

    private static ValueComparer<T> JsonComparer<T>() => new(
        (a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Default) == JsonSerializer.Serialize(b, JsonSerializerOptions.Default),
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonSerializerOptions.Default), JsonSerializerOptions.Default)!);
}

/// <summary>Stores DateTime as UTC and reads it back with <see cref="DateTimeKind.Utc"/>.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
