using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CameraHub.Masking.Persistence;

/// <summary>Lets `dotnet ef migrations add` build the context without the host.</summary>
public sealed class MaskingDesignTimeFactory : IDesignTimeDbContextFactory<MaskingDbContext>
{
    public MaskingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MaskingDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(MaskingDbContext.MigrationsTable))
            .Options);
}
