using CameraHub.CameraRegistry.Care;

namespace CameraHub.CameraRegistry.Tests.Care;

/// <summary>The visit schedule in Swedish local time, daylight-saving nights included (the rule of docs/design/care.md).</summary>
public sealed class VisitScheduleTests
{
    private static DateTime Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void Visit_times_are_local_Swedish_time_in_winter_and_summer()
    {
        var schedule = VisitSchedule.Parse("Mon-Sun 22:00,01:00; Sat 23:30");

        Assert.Equal([Utc(11, 24, 0, 0), Utc(11, 24, 21, 0)], schedule.VisitsOn(new DateOnly(2026, 11, 24)));
        Assert.Equal([Utc(6, 10, 23, 0), Utc(6, 11, 20, 0)], schedule.VisitsOn(new DateOnly(2026, 6, 11)));
        Assert.Equal(3, schedule.VisitsOn(new DateOnly(2026, 11, 28)).Count());
        Assert.Equal(15, schedule.VisitsPerWeek);
    }

    [Fact]
    public void On_the_spring_forward_night_a_0230_visit_happens_at_0330_summer_time()
    {
        // 29 March 2026: clocks go from 02:00 CET to 03:00 CEST; 02:30 does not exist that night.
        var visits = VisitSchedule.Parse("daily 02:30").VisitsOn(new DateOnly(2026, 3, 29)).ToList();

        Assert.Equal([Utc(3, 29, 1, 30)], visits);
        Assert.Equal("2026-03-29 03:30", VisitSchedule.LocalText(visits[0]));
        // The nights around it keep 02:30 local.
        Assert.Equal([Utc(3, 28, 1, 30)], VisitSchedule.Parse("daily 02:30").VisitsOn(new DateOnly(2026, 3, 28)));
        Assert.Equal([Utc(3, 30, 0, 30)], VisitSchedule.Parse("daily 02:30").VisitsOn(new DateOnly(2026, 3, 30)));
    }

    [Fact]
    public void Two_times_that_meet_on_the_spring_forward_night_are_one_visit_and_the_autumn_night_takes_the_first_0230()
    {
        Assert.Single(VisitSchedule.Parse("daily 02:30,03:30").VisitsOn(new DateOnly(2026, 3, 29)));
        // 25 October 2026: 02:30 happens twice (CEST, then CET); the visit is at the first.
        Assert.Equal([Utc(10, 25, 0, 30)], VisitSchedule.Parse("daily 02:30").VisitsOn(new DateOnly(2026, 10, 25)));
    }

    [Fact]
    public void The_window_on_the_spring_forward_night_lies_around_the_moved_visit()
    {
        var decision = new CareDecision { Schedule = "daily 02:30", WindowMinutes = 15, ValidFrom = new DateOnly(2025, 1, 1) };

        Assert.Null(CareVisitRule.WindowAt(decision, Utc(3, 29, 1, 14)));
        Assert.Equal(Utc(3, 29, 1, 30), CareVisitRule.WindowAt(decision, Utc(3, 29, 1, 15))!.Value.Planned);
        Assert.Contains("2026-03-29 03:15–03:45", CareVisitRule.NextWindowText(decision, Utc(3, 29, 0, 0)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("daily", "not of the form")]
    [InlineData("Funday 22:00", "not a day")]
    [InlineData("daily 25:00", "not a time")]
    public void A_bad_schedule_is_refused_naming_the_part(string text, string expected)
    {
        Assert.False(VisitSchedule.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demo_schedules_add_up_to_340_visits_a_night()
    {
        Assert.Equal(340, Enumerable.Range(1, 145).Sum(i => VisitSchedule.Parse(DemoCare.ScheduleOf(i)).VisitsOn(new DateOnly(2026, 11, 24)).Count()));
    }
}
