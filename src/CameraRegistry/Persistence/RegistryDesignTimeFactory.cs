using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.CameraRegistry.Persistence;

/// <summary>Lets `dotnet ef migrations add` build the context without the host.</summary>
public sealed class RegistryDesignTimeFactory : IDesignTimeDbContextFactory<RegistryDbContext>
{
    public RegistryDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<RegistryDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(RegistryDbContext.MigrationsTable))
            .Options);
}
