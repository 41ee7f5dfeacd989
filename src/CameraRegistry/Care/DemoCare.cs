using CameraHub.CameraRegistry.Cameras;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Care;

/// <summary>
/// Demo decisions for the sample city's care cameras: four care units, plausible night schedules that add up to 340
/// visits a night — 10,200 in a 30-day month, the figure the city quotes. TRY-001 (the one with a simulated camera) is
/// visited every half hour so that a demo can perform a visit at any hour; the demo user <c>care</c> works in every unit.
/// </summary>
public sealed class DemoCare(IDbContextFactory<CareDbContext> contexts, CareDecisions decisions, TimeProvider time)
{
    public static readonly string[] Units = ["Trygghetsjouren Nordost", "Trygghetsjouren Hisingen", "Trygghetsjouren Centrum", "Trygghetsjouren Sydväst"];

    private static readonly string[] Names = ["Astrid", "Karl", "Margit", "Gunnar", "Ingrid", "Sven", "Birgitta", "Lennart", "Elsa", "Bengt", "Gun", "Rolf"];

    /// <summary>Visits a night per camera (TRY-002…TRY-145): 32 with one, 80 with two, 28 with three, 4 with four.</summary>
    public static string ScheduleOf(int index)
    {
        if (index == 1)
        {
            return "daily " + string.Join(',', Enumerable.Range(0, 48).Select(h => $"{h / 2:00}:{h % 2 * 30:00}"));
        }

        var minute = index % 4 * 10;
        return (index - 2) switch
        {
            < 32 => $"daily 01:{minute:00}",
            < 112 => $"daily 22:{minute:00},04:{minute:00}",
            < 140 => $"daily 22:{minute:00},01:{minute:00},04:{minute:00}",
            _ => $"daily 21:{minute:00},23:{minute:00},02:{minute:00},05:{minute:00}",
        };
    }

    /// <summary>Creates the decisions and staff when there are none; returns how many decisions were created.</summary>
    public async Task<int> EnsureAsync(IEnumerable<string> careCameraIds, string careUser, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Staff.AnyAsync(ct))
        {
            db.Staff.AddRange(Units.Select(u => new CareStaffMember { UserName = careUser, CareUnit = u }));
            await db.SaveChangesAsync(ct);
        }

        if (await db.Decisions.AnyAsync(ct))
        {
            return 0;
        }

        var consent = new DateTimeOffset(2025, 8, 20, 10, 0, 0, TimeSpan.Zero);
        var rows = careCameraIds.Order(StringComparer.Ordinal).Select((camera, i) => (0, new CareDecisionInput(
            camera, $"TJ-{7301 + i * 7}", $"{Names[i % Names.Length]} {(char)('A' + i * 5 % 26)}.", $"ÄVO-BB 2025-{i + 1:000}",
            new DateOnly(2025, 8, 15), new DateOnly(2025, 9, 1), null, i % 3 == 0 ? "god man" : "brukaren", consent < time.GetUtcNow() ? consent : time.GetUtcNow(),
            ScheduleOf(i + 1), Units[i % Units.Length]))).ToList();
        var result = await decisions.ImportRowsAsync(rows, "demo-seed", "created (demo)", ct);
        return result.Errors.Count == 0
            ? result.Decisions.Count
            : throw new InvalidOperationException("demo care decisions: " + string.Join("; ", result.Errors.Take(5).Select(e => $"{e.Line} {e.Field}: {e.Message}")));
    }

    /// <summary>The care cameras of the sample city.</summary>
    public static IEnumerable<string> CareCameras(IEnumerable<CameraSource> cameras) =>
        cameras.Where(c => c.Category == CameraCategory.CareHome).Select(c => c.Id);
}
