using System.Globalization;
using CameraHub.CameraRegistry.Schedules;

namespace CameraHub.CameraRegistry.Care;

/// <summary>
/// A resident's visit times per weekday in Swedish local time. Text form: clauses separated by <c>;</c>, each
/// <c>DAYS HH:MM,HH:MM…</c> with DAYS a day (<c>Mon</c>), a range (<c>Mon-Fri</c>), a list (<c>Sat,Sun</c>) or
/// <c>daily</c>; e.g. <c>Mon-Sun 22:00,01:00,04:00; Sat 23:30</c>. A time belongs to its calendar day (Monday 01:00 is
/// the small hours of Monday).
/// <para>
/// Daylight saving (one rule, stated in docs/design/care.md): a local time that does not exist on the spring-forward
/// night (02:00–03:00) moves forward by the gap — a 02:30 visit happens at 03:30 summer time, the instant 02:30 winter
/// time would have been; a time that occurs twice on the autumn night happens at its first occurrence (summer time).
/// Two times that land on the same instant are one visit.
/// </para>
/// </summary>
public sealed class VisitSchedule
{
    private readonly Dictionary<DayOfWeek, SortedSet<TimeOnly>> _times;

    private VisitSchedule(Dictionary<DayOfWeek, SortedSet<TimeOnly>> times) => _times = times;

    /// <summary>Visit times per week (a measure for plausibility checks and projections).</summary>
    public int VisitsPerWeek => _times.Values.Sum(t => t.Count);

    /// <summary>Parses the text form; on failure <paramref name="error"/> names the wrong part.</summary>
    public static bool TryParse(string? text, out VisitSchedule? schedule, out string? error)
    {
        schedule = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the visit schedule is empty; write times per weekday like 'Mon-Sun 22:00,01:00,04:00'";
            return false;
        }

        var times = new Dictionary<DayOfWeek, SortedSet<TimeOnly>>();
        foreach (var clause in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = clause.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
            {
                error = $"'{clause}' is not of the form 'DAYS HH:MM,HH:MM'";
                return false;
            }

            if (!TryParseDays(parts[0], out var days, out error))
            {
                return false;
            }

            foreach (var raw in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!TimeOnly.TryParseExact(raw, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                {
                    error = $"'{raw}' in '{clause}' is not a time like 22:00";
                    return false;
                }

                foreach (var day in days)
                {
                    (times.TryGetValue(day, out var set) ? set : times[day] = []).Add(time);
                }
            }
        }

        if (times.Count == 0)
        {
            error = "the visit schedule names no visit times";
            return false;
        }

        schedule = new VisitSchedule(times);
        return true;
    }

    /// <summary>Parses text already validated; throws with the reason otherwise.</summary>
    public static VisitSchedule Parse(string text) =>
        TryParse(text, out var schedule, out var error) ? schedule! : throw new FormatException(error);

    /// <summary>The UTC instants of the visits planned on a local day, in order.</summary>
    public IEnumerable<DateTime> VisitsOn(DateOnly localDay) =>
        _times.TryGetValue(localDay.DayOfWeek, out var set)
            ? set.Select(t => ToUtc(localDay, t)).Distinct().Order()
            : [];

    /// <summary>The visits whose planned instant lies in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), in order.</summary>
    public IEnumerable<DateTime> VisitsBetween(DateTime fromUtc, DateTime toUtc)
    {
        var first = LocalDay(fromUtc).AddDays(-1);
        var last = LocalDay(toUtc).AddDays(1);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            foreach (var visit in VisitsOn(day).Where(v => v >= fromUtc && v < toUtc))
            {
                yield return visit;
            }
        }
    }

    /// <summary>The daylight-saving rule: a Swedish local date and time as a UTC instant.</summary>
    public static DateTime ToUtc(DateOnly day, TimeOnly time)
    {
        var zone = AllowedHours.Stockholm;
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
        {
            // Skipped by the clocks going forward: keep the offset in force before the gap, which lands after it.
            offset = zone.GetUtcOffset(local.AddHours(-3));
        }
        else if (zone.IsAmbiguousTime(local))
        {
            // Occurs twice when the clocks go back: the first occurrence has the larger (summer) offset.
            offset = zone.GetAmbiguousTimeOffsets(local).Max();
        }
        else
        {
            offset = zone.GetUtcOffset(local);
        }

        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    /// <summary>The Swedish local calendar day of a UTC instant.</summary>
    public static DateOnly LocalDay(DateTime utc) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), AllowedHours.Stockholm));

    /// <summary>A UTC instant as Swedish local time for messages ("2026-11-24 22:00").</summary>
    public static string LocalText(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), AllowedHours.Stockholm).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static bool TryParseDays(string text, out DayOfWeek[] days, out string? error)
    {
        if (text.Equals("daily", StringComparison.OrdinalIgnoreCase))
        {
            days = Enum.GetValues<DayOfWeek>();
            error = null;
            return true;
        }

        return AllowedHours.TryParseDays(text, out days, out error);
    }
}
