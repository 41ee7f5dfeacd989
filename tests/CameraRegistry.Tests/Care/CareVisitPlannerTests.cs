using CameraHub.CameraRegistry.Care;
using CameraHub.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Tests.Care;

/// <summary>The planner on a real SQLite file (or PostgreSQL database, in that test pass) with the care migrations: the spring-forward night, and nothing invented as missed.</summary>
public sealed class CareVisitPlannerTests : IAsyncLifetime
{
    private readonly string _directory;
    private readonly TestDatabase _database;

    public CareVisitPlannerTests()
    {
        _directory = Directory.CreateTempSubdirectory("camerahub-care-").FullName;
        _database = TestDatabase.Create($"Data Source={Path.Combine(_directory, "care.db")}");
    }

    private CareDbContext NewContext() => _database.NewContext<CareDbContext, PostgresCareDbContext>(CareDbContext.MigrationsTable);

    public async Task InitializeAsync()
    {
        await using var db = NewContext();
        await db.Database.MigrateAsync();
    }

    public Task DisposeAsync()
    {
        _database.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private static CareDecision Decision(string schedule) => new()
    {
        Id = Guid.NewGuid(), CameraId = "TRY-P-01", ResidentId = "TJ-1", ResidentName = "Astrid L.", DecisionReference = $"REF-{Guid.NewGuid():N}",
        ValidFrom = new DateOnly(2025, 9, 1), Schedule = schedule, CareUnit = "Nordost", ConsentBy = "brukaren",
    };

    [Fact]
    public async Task On_the_spring_forward_night_the_0230_visit_is_planned_at_0330_summer_time_and_missed_when_that_window_closes()
    {
        await using var db = NewContext();
        db.Decisions.Add(Decision("daily 02:30"));
        await db.SaveChangesAsync();
        // Saturday 28 March 2026, 22:00 in Göteborg (winter time): the night the clocks go forward.
        var evening = new DateTime(2026, 3, 28, 21, 0, 0, DateTimeKind.Utc);

        await CareVisitPlanner.EnsurePlannedAsync(db, evening, default);

        var visit = await db.Visits.AsNoTracking().SingleAsync(v => v.PlannedAtUtc > evening);
        Assert.Equal(new DateTime(2026, 3, 29, 1, 30, 0, DateTimeKind.Utc), visit.PlannedAtUtc);
        Assert.Equal("2026-03-29 03:15", VisitSchedule.LocalText(visit.WindowStartUtc));
        Assert.Empty(await CareVisitPlanner.CloseWindowsAsync(db, visit.WindowEndUtc.AddTicks(-1), default));
        var missed = await CareVisitPlanner.CloseWindowsAsync(db, visit.WindowEndUtc, default);
        Assert.Equal(visit.Id, Assert.Single(missed).Id);
    }

    [Fact]
    public async Task Planning_a_day_for_the_first_time_writes_only_visits_whose_window_is_still_ahead()
    {
        await using var db = NewContext();
        db.Decisions.Add(Decision("daily 01:00,13:00,22:00"));
        await db.SaveChangesAsync();
        // 14:00 in Göteborg: today's 01:00 and 13:00 windows closed before the hub planned the day.
        var now = new DateTime(2026, 11, 24, 13, 0, 0, DateTimeKind.Utc);

        await CareVisitPlanner.EnsurePlannedAsync(db, now, default);

        var today = await db.Visits.AsNoTracking().Where(v => v.PlannedAtUtc >= new DateTime(2026, 11, 23, 23, 0, 0, DateTimeKind.Utc) && v.PlannedAtUtc < new DateTime(2026, 11, 24, 23, 0, 0, DateTimeKind.Utc)).ToListAsync();
        Assert.Equal("2026-11-24 22:00", VisitSchedule.LocalText(Assert.Single(today).PlannedAtUtc));
        Assert.Empty(await CareVisitPlanner.CloseWindowsAsync(db, now, default));
        // Tonight at 22:00 and all three of tomorrow; yesterday, whose windows all closed, has none.
        Assert.Equal(4, await db.Visits.CountAsync());
    }
}
