using System.Globalization;
using System.Text;

namespace CameraHub.CameraRegistry.Schedules;

/// <summary>
/// A weekly schedule of when a camera may film, in Swedish local time, with a separate rule for holidays.
/// Text form: <c>always</c>, or windows separated by <c>;</c> such as
/// <c>Mon-Fri 20:00-06:00; Sat-Sun 17:00-07:00; holidays 17:00-07:00</c>.
/// A window whose end is not after its start runs past midnight into the next day.
/// On a holiday the <c>holidays</c> windows replace that weekday's windows, when any are given.
/// </summary>
public sealed class AllowedHours
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>The time zone the schedule is written in.</summary>
    public static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private readonly List<Window> _windows;

    private AllowedHours(bool always, List<Window> windows)
    {
        IsAlways = always;
        _windows = windows;
    }

    /// <summary>Filming allowed at every hour.</summary>
    public bool IsAlways { get; }

    /// <summary>A schedule with no restriction.</summary>
    public static AllowedHours Always { get; } = new(true, []);

    private readonly record struct Window(bool Holiday, DayOfWeek[] Days, TimeOnly From, TimeOnly To)
    {
        public bool CrossesMidnight => To <= From;
        public double Hours => CrossesMidnight ? 24 - (From - To).TotalHours : (To - From).TotalHours;
    }

    /// <summary>Parses the text form; on failure <paramref name="error"/> says which part is wrong.</summary>
    public static bool TryParse(string? text, out AllowedHours? schedule, out string? error)
    {
        schedule = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "allowed hours are empty; write 'always' or windows like 'Mon-Fri 20:00-06:00'";
            return false;
        }

        if (text.Trim().Equals("always", StringComparison.OrdinalIgnoreCase))
        {
            schedule = Always;
            return true;
        }

        var windows = new List<Window>();
        foreach (var raw in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                error = $"'{raw}' is not of the form 'DAYS HH:MM-HH:MM'";
                return false;
            }

            var holiday = parts[0].Equals("holidays", StringComparison.OrdinalIgnoreCase);
            DayOfWeek[] days = [];
            if (!holiday && !TryParseDays(parts[0], out days, out error))
            {
                return false;
            }

            var times = parts[1].Split('-');
            if (times.Length != 2
                || !TimeOnly.TryParseExact(times[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                || !TimeOnly.TryParseExact(times[1] == "24:00" ? "00:00" : times[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
            {
                error = $"'{parts[1]}' in '{raw}' is not a time range like 20:00-06:00";
                return false;
            }

            windows.Add(new Window(holiday, days, from, to));
        }

        if (windows.Count == 0)
        {
            error = "no windows given";
            return false;
        }

        schedule = new AllowedHours(false, windows);
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/> with the reason.</summary>
    public static AllowedHours Parse(string text) =>
        TryParse(text, out var s, out var e) ? s! : throw new FormatException(e);

    /// <summary>Days, ranges and lists like <c>Mon-Fri</c> or <c>Sat,Sun</c> (also the care visit schedule's days).</summary>
    internal static bool TryParseDays(string text, out DayOfWeek[] days, out string? error)
    {
        var set = new SortedSet<DayOfWeek>();
        days = [];
        error = null;
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = item.Split('-');
            var first = Array.IndexOf(DayNames, range[0].ToLowerInvariant());
            var last = range.Length == 2 ? Array.IndexOf(DayNames, range[1].ToLowerInvariant()) : first;
            if (range.Length > 2 || first < 0 || last < 0)
            {
                error = $"'{item}' is not a day or day range (Mon, Tue, Wed, Thu, Fri, Sat, Sun, e.g. Mon-Fri)";
                return false;
            }

            for (var d = first; ; d = (d + 1) % 7)
            {
                set.Add((DayOfWeek)d);
                if (d == last)
                {
                    break;
                }
            }
        }

        days = [.. set];
        return true;
    }

    /// <summary>True when filming is allowed at the UTC instant <paramref name="utc"/>.</summary>
    public bool IsOpen(DateTimeOffset utc)
    {
        if (IsAlways)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(utc, Stockholm);
        var today = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        foreach (var w in WindowsFor(today))
        {
            if (time >= w.From && (w.CrossesMidnight || time < w.To))
            {
                return true;
            }
        }

        foreach (var w in WindowsFor(today.AddDays(-1)))
        {
            if (w.CrossesMidnight && time < w.To)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The next UTC instant after <paramref name="utc"/> at which <see cref="IsOpen"/> changes, searched a week ahead
    /// at minute resolution on window edges; null when it never changes.
    /// </summary>
    public DateTimeOffset? NextChange(DateTimeOffset utc)
    {
        if (IsAlways)
        {
            return null;
        }

        var open = IsOpen(utc);
        var local = TimeZoneInfo.ConvertTime(utc, Stockholm);
        var start = DateOnly.FromDateTime(local.DateTime).AddDays(-1);
        var candidates = new List<DateTimeOffset>();
        for (var day = start; day <= start.AddDays(9); day = day.AddDays(1))
        {
            foreach (var w in WindowsFor(day))
            {
                candidates.Add(ToUtc(day, w.From));
                candidates.Add(ToUtc(w.CrossesMidnight ? day.AddDays(1) : day, w.To));
            }

            // Midnight edges matter when a holiday swaps the day's windows.
            candidates.Add(ToUtc(day, TimeOnly.MinValue));
        }

        foreach (var c in candidates.Where(c => c > utc).Order())
        {
            if (IsOpen(c) != open)
            {
                return c;
            }
        }

        return null;
    }

    private static DateTimeOffset ToUtc(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (Stockholm.IsInvalidTime(local))
        {
            local = local.AddHours(1); // the skipped hour of the spring change
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, Stockholm), TimeSpan.Zero);
    }

    private IEnumerable<Window> WindowsFor(DateOnly date)
    {
        if (SwedishHolidays.IsHoliday(date) && _windows.Any(w => w.Holiday))
        {
            return _windows.Where(w => w.Holiday);
        }

        return _windows.Where(w => !w.Holiday && w.Days.Contains(date.DayOfWeek));
    }

    /// <summary>Hours per ordinary week (no holidays) during which filming is allowed.</summary>
    public double HoursPerWeek => IsAlways ? 168 : Math.Min(168, _windows.Where(w => !w.Holiday).Sum(w => w.Hours * w.Days.Length));

    /// <summary>The canonical text form.</summary>
    public override string ToString()
    {
        if (IsAlways)
        {
            return "always";
        }

        var sb = new StringBuilder();
        foreach (var w in _windows)
        {
            if (sb.Length > 0)
            {
                sb.Append("; ");
            }

            sb.Append(w.Holiday ? "holidays" : string.Join(',', w.Days.Select(d => Capitalised(DayNames[(int)d]))))
              .Append(' ').Append(w.From.ToString("HH:mm", CultureInfo.InvariantCulture))
              .Append('-').Append(w.To.ToString("HH:mm", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static string Capitalised(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
