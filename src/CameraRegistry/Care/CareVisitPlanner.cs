using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Care;

/// <summary>
/// Writes each decision's planned visits as rows, a local day at a time (yesterday, today and tomorrow are always
/// written), and closes them: a visit whose window closed with no look is missed, with a look it is done. A day is
/// written from the instant it is first planned on; visits whose window had already closed then are never rows
/// (the report projects them from the schedules instead of calling them missed).
/// </summary>
public static class CareVisitPlanner
{
    /// <summary>
    /// Serialises planning inside the process: a decision registered while the keeper writes a new day must land
    /// either in the keeper's pass or in the decision's own planning, never between them.
    /// </summary>
    public sealed class Gate : IDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);

        public void Dispose() => _lock.Dispose();

        public async Task<IDisposable> EnterAsync(CancellationToken ct)
        {
            await _lock.WaitAsync(ct);
            return new Release(_lock);
        }

        private sealed class Release(SemaphoreSlim held) : IDisposable
        {
            public void Dispose() => held.Release();
        }
    }

    /// <summary>Writes the visits of every unplanned day from yesterday to tomorrow; returns how many rows were added.</summary>
    public static async Task<int> EnsurePlannedAsync(CareDbContext db, DateTime nowUtc, CancellationToken ct)
    {
        var today = VisitSchedule.LocalDay(nowUtc);
        var planned = await db.PlannedDays.Where(p => p.Day >= today.AddDays(-1)).Select(p => p.Day).ToListAsync(ct);
        var missing = Enumerable.Range(-1, 3).Select(today.AddDays).Except(planned).ToList();
        if (missing.Count == 0)
        {
            return 0;
        }

        var decisions = await db.Decisions.AsNoTracking().Where(d => d.State == DecisionState.Active).ToListAsync(ct);
        var added = 0;
        foreach (var day in missing)
        {
            foreach (var decision in decisions.Where(d => d.InForceOn(day)))
            {
                added += AddVisits(db, decision, day, nowUtc, []);
            }

            db.PlannedDays.Add(new CarePlannedDay { Day = day, PlannedAtUtc = nowUtc });
        }

        await db.SaveChangesAsync(ct);
        return added;
    }

    /// <summary>A new decision's visits on the days already planned (from now on).</summary>
    public static async Task PlanNewAsync(CareDbContext db, CareDecision decision, DateTime nowUtc, CancellationToken ct)
    {
        var today = VisitSchedule.LocalDay(nowUtc);
        foreach (var day in await db.PlannedDays.Where(p => p.Day >= today.AddDays(-1)).Select(p => p.Day).ToListAsync(ct))
        {
            if (decision.InForceOn(day))
            {
                AddVisits(db, decision, day, nowUtc, []);
            }
        }
    }

    /// <summary>Pausing or withdrawing: visits not yet looked at whose window has not closed are cancelled; open looks end. Returns the looks ended.</summary>
    public static async Task<int> CancelAsync(CareDbContext db, CareDecision decision, DateTime nowUtc, CancellationToken ct)
    {
        await db.Visits.Where(v => v.DecisionId == decision.Id && v.State == VisitState.Planned && v.Looks == 0 && v.WindowEndUtc > nowUtc)
            .ExecuteUpdateAsync(s => s.SetProperty(v => v.State, VisitState.Cancelled), ct);
        return await db.Looks.Where(l => l.DecisionId == decision.Id && l.EndedAtUtc == null && l.EndsAtUtc > nowUtc)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.EndedAtUtc, nowUtc), ct);
    }

    /// <summary>Resuming: cancelled visits whose window has not opened yet are planned again; planned days get the missing ones.</summary>
    public static async Task ResumeAsync(CareDbContext db, CareDecision decision, DateTime nowUtc, CancellationToken ct)
    {
        await db.Visits.Where(v => v.DecisionId == decision.Id && v.State == VisitState.Cancelled && v.WindowStartUtc > nowUtc)
            .ExecuteUpdateAsync(s => s.SetProperty(v => v.State, VisitState.Planned), ct);
        var today = VisitSchedule.LocalDay(nowUtc);
        var existing = (await db.Visits.Where(v => v.DecisionId == decision.Id && v.WindowEndUtc > nowUtc).Select(v => v.PlannedAtUtc).ToListAsync(ct)).ToHashSet();
        foreach (var day in await db.PlannedDays.Where(p => p.Day >= today.AddDays(-1)).Select(p => p.Day).ToListAsync(ct))
        {
            if (decision.InForceOn(day))
            {
                AddVisits(db, decision, day, nowUtc, existing);
            }
        }
    }

    /// <summary>Closes every visit whose window has closed: done when looked at, otherwise missed. Returns the missed ones.</summary>
    public static async Task<List<CareVisit>> CloseWindowsAsync(CareDbContext db, DateTime nowUtc, CancellationToken ct)
    {
        var closed = await db.Visits.Where(v => v.State == VisitState.Planned && v.WindowEndUtc <= nowUtc).ToListAsync(ct);
        if (closed.Count == 0)
        {
            return closed;
        }

        var ids = closed.Where(v => v.Looks > 0).Select(v => (Guid?)v.Id).ToList();
        var looks = await db.Looks.AsNoTracking().Where(l => ids.Contains(l.VisitId)).ToListAsync(ct);
        foreach (var visit in closed)
        {
            visit.State = visit.Looks > 0 ? VisitState.Done : VisitState.Missed;
            if (visit.Looks > 0)
            {
                visit.LookSeconds = looks.Where(l => l.VisitId == visit.Id).Sum(l => l.SecondsAt(nowUtc));
            }
        }

        await db.SaveChangesAsync(ct);
        return [.. closed.Where(v => v.State == VisitState.Missed)];
    }

    /// <summary>The care night a date names: from 12:00 that day to 12:00 the next (Swedish local time), as UTC.</summary>
    public static (DateTime From, DateTime To) Night(DateOnly date) =>
        (VisitSchedule.ToUtc(date, new TimeOnly(12, 0)), VisitSchedule.ToUtc(date.AddDays(1), new TimeOnly(12, 0)));

    /// <summary>The care night running at an instant (before noon it is still the night that began yesterday).</summary>
    public static DateOnly NightOf(DateTime utc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Schedules.AllowedHours.Stockholm);
        return DateOnly.FromDateTime(local).AddDays(local.Hour < 12 ? -1 : 0);
    }

    private static int AddVisits(CareDbContext db, CareDecision decision, DateOnly day, DateTime nowUtc, HashSet<DateTime> existing)
    {
        var margin = TimeSpan.FromMinutes(decision.WindowMinutes);
        var added = 0;
        foreach (var planned in VisitSchedule.Parse(decision.Schedule).VisitsOn(day).Where(p => p + margin > nowUtc && !existing.Contains(p)))
        {
            db.Visits.Add(new CareVisit
            {
                Id = Guid.NewGuid(), DecisionId = decision.Id, CameraId = decision.CameraId, CareUnit = decision.CareUnit,
                PlannedAtUtc = planned, WindowStartUtc = planned - margin, WindowEndUtc = planned + margin,
            });
            added++;
        }

        return added;
    }
}
