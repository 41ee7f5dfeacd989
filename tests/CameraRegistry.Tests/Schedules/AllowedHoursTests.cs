using CameraHub.CameraRegistry.Schedules;
using CameraHub.CameraRegistry.Tests.Infrastructure;

namespace CameraHub.CameraRegistry.Tests.Schedules;

public class AllowedHoursTests
{
    private static readonly AllowedHours School = AllowedHours.Parse(SampleCameras.SchoolHours);

    private static DateTimeOffset Local(int y, int mo, int d, int h, int mi = 0)
    {
        var local = new DateTime(y, mo, d, h, mi, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, AllowedHours.Stockholm), TimeSpan.Zero);
    }

    [Theory]
    [InlineData(2026, 11, 24, 22, true)]   // Tuesday night
    [InlineData(2026, 11, 25, 5, true)]    // Wednesday early morning, window from Tuesday
    [InlineData(2026, 11, 25, 6, false)]   // 06:00 ends the weekday window
    [InlineData(2026, 11, 24, 12, false)]  // school day
    [InlineData(2026, 11, 24, 19, false)]  // weekday evening before 20:00
    [InlineData(2026, 11, 28, 18, true)]   // Saturday evening
    [InlineData(2026, 11, 28, 12, false)]  // Saturday midday
    [InlineData(2026, 12, 24, 18, true)]   // Christmas Eve (Thursday) uses the holiday window from 17:00
    [InlineData(2026, 5, 14, 18, true)]    // Ascension Day 2026 (Thursday)
    [InlineData(2026, 5, 13, 18, false)]   // the Wednesday before is an ordinary day
    public void School_window_follows_IMY_nights_weekends_and_holidays(int y, int m, int d, int h, bool open)
    {
        Assert.Equal(open, School.IsOpen(Local(y, m, d, h)));
    }

    [Fact]
    public void Window_crossing_the_spring_daylight_saving_night_stays_open_until_local_morning()
    {
        // 29 March 2026: clocks go from 02:00 to 03:00. The Saturday window runs 17:00–07:00 local.
        Assert.True(School.IsOpen(Local(2026, 3, 29, 4)));
        Assert.True(School.IsOpen(Local(2026, 3, 29, 6, 59)));
        Assert.False(School.IsOpen(Local(2026, 3, 29, 7)));
        // The window is 13 real hours that night, not 14.
        var change = School.NextChange(Local(2026, 3, 28, 18))!.Value;
        Assert.Equal(Local(2026, 3, 29, 7), change);
        Assert.Equal(TimeSpan.FromHours(13), change - Local(2026, 3, 28, 17));
    }

    [Fact]
    public void Next_change_finds_the_evening_start()
    {
        Assert.Equal(Local(2026, 11, 24, 20), School.NextChange(Local(2026, 11, 24, 12)));
    }

    [Fact]
    public void Always_is_always_open_and_never_changes()
    {
        var always = AllowedHours.Parse("always");
        Assert.True(always.IsOpen(Local(2026, 11, 24, 12)));
        Assert.Null(always.NextChange(Local(2026, 11, 24, 12)));
        Assert.Equal(168, always.HoursPerWeek);
    }

    [Fact]
    public void Hours_per_week_of_the_school_window()
    {
        Assert.Equal((5 * 10) + (2 * 14), School.HoursPerWeek);
    }

    [Theory]
    [InlineData("Mon-Fri", "not of the form")]
    [InlineData("Mon-Fri 20:00", "is not a time range")]
    [InlineData("Mon-Fry 08:00-17:00", "'Mon-Fry'")]
    [InlineData("Mon 25:00-06:00", "'25:00-06:00'")]
    [InlineData("", "empty")]
    public void Bad_schedules_say_what_is_wrong(string text, string expected)
    {
        Assert.False(AllowedHours.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_text_round_trips()
    {
        var text = School.ToString();
        Assert.Equal(text, AllowedHours.Parse(text).ToString());
        Assert.StartsWith("Mon,Tue,Wed,Thu,Fri 20:00-06:00", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2026, 4, 5)]
    [InlineData(2025, 4, 20)]
    [InlineData(2027, 3, 28)]
    public void Easter_sunday(int y, int m, int d) => Assert.Equal(new DateOnly(y, m, d), SwedishHolidays.EasterSunday(y));

    [Theory]
    [InlineData(2026, 6, 19, true)]   // Midsommarafton
    [InlineData(2026, 6, 20, true)]   // Midsommardagen
    [InlineData(2026, 10, 31, true)]  // Alla helgons dag
    [InlineData(2026, 6, 6, true)]
    [InlineData(2026, 6, 18, false)]
    public void Swedish_holidays(int y, int m, int d, bool holiday) => Assert.Equal(holiday, SwedishHolidays.IsHoliday(new DateOnly(y, m, d)));
}
