namespace CameraHub.CameraRegistry.Schedules;

/// <summary>Swedish public holidays and the eves treated as holidays (midsommar-, jul- and nyårsafton).</summary>
public static class SwedishHolidays
{
    /// <summary>True when <paramref name="date"/> is a red day or a de facto holiday eve.</summary>
    public static bool IsHoliday(DateOnly date)
    {
        var (y, m, d) = (date.Year, date.Month, date.Day);
        if ((m, d) is (1, 1) or (1, 6) or (5, 1) or (6, 6) or (12, 24) or (12, 25) or (12, 26) or (12, 31))
        {
            return true;
        }

        var easter = EasterSunday(y);
        var offset = date.DayNumber - easter.DayNumber;
        if (offset is -2 or 0 or 1 or 39 or 49)
        {
            return true; // Långfredag, påskdagen, annandag påsk, Kristi himmelsfärd, pingstdagen
        }

        // Midsommarafton: the Friday between 19 and 25 June; midsommardagen the day after.
        if (m == 6 && d is >= 19 and <= 25 && date.DayOfWeek == DayOfWeek.Friday)
        {
            return true;
        }

        if (m == 6 && d is >= 20 and <= 26 && date.DayOfWeek == DayOfWeek.Saturday)
        {
            return true;
        }

        // Alla helgons dag: the Saturday between 31 October and 6 November.
        return date.DayOfWeek == DayOfWeek.Saturday && ((m == 10 && d == 31) || (m == 11 && d <= 6));
    }

    /// <summary>Easter Sunday (Gregorian), anonymous algorithm.</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
        int f = (b + 8) / 25, g = (b - f + 1) / 3, h = ((19 * a) + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4, l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        int m = (a + (11 * h) + (22 * l)) / 451;
        int month = (h + l - (7 * m) + 114) / 31, day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }
}
