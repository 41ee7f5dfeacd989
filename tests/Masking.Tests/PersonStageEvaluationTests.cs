using CameraHub.Masking.Tests.Evaluation;

namespace CameraHub.Masking.Tests;

/// <summary>
/// The person stage against today's HOG on the labelled set (tests/Masking.Tests/Evaluation/README.md): recall and
/// precision in the leak region, the privacy figure — the share of person-frames in which someone whose feet stand
/// beyond the keep distance keeps any visible pixel after masking — and what that costs the kept band. Thresholds are the
/// figures measured when the set was made, less a little slack; bench/RESULTS.md has the figures.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PersonStageEvaluationTests(LabelledPeople set, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<LabelledPeople>
{
    [Fact]
    public void The_set_has_at_least_300_labelled_people_with_foot_points()
    {
        var people = set.Labels.Where(l => l.Person).ToList();
        Assert.True(people.Count >= 300, $"{people.Count} people");
        Assert.All(people, p => Assert.InRange(p.Foot.Y, p.Box.Bottom - 2, p.Box.Bottom + 2));
    }

    [Fact]
    public void The_person_stage_finds_more_people_in_the_leak_region_than_todays_hog()
    {
        var (today, hogStage, stage) = Report();
        output.WriteLine($"leak region {100 * set.Region.Share:0.0} % of the picture, bands {string.Join("; ", set.Region.Bands)}");

        // Measured: HOG today 87.2 %, the stage with HOG alone 92.1 %, with the moving foreground added 95.4 % (precision 92.4 %).
        Assert.True(stage.People >= 300, stage.ToString());
        Assert.True(hogStage.Recall >= today.Recall + 0.03, $"{hogStage} vs {today}");
        Assert.True(stage.Recall >= hogStage.Recall, $"{stage} vs {hogStage}");
        Assert.True(stage.Recall >= 0.9, stage.ToString());
        Assert.True(stage.Precision >= 0.85, stage.ToString());
    }

    [Fact]
    public void People_beyond_the_keep_distance_keep_a_visible_pixel_in_at_most_one_percent_of_person_frames()
    {
        var (today, hogStage, stage) = Report();

        // Measured: 0.7 % (3 of 456) against 1.3 % for HOG alone and 6.6 % for today's HOG.
        Assert.True(stage.BeyondPersonFrames >= 400, stage.ToString());
        Assert.True(stage.LeakShare <= 0.01, stage.ToString());
        Assert.True(stage.LeakShare <= hogStage.LeakShare, $"{stage} vs {hogStage}");
        Assert.True(stage.LeakShare <= today.LeakShare / 5, $"{stage} vs {today}");
    }

    [Fact]
    public void The_kept_band_is_not_given_up_to_close_the_leak()
    {
        var (_, hogStage, stage) = Report();

        // Obscuring the whole leak region would close every leak; what the stage obscures of the kept band where nobody
        // beyond the line stands must stay a small share, within a few points of HOG alone (measured 20.2 % against 18.3 %).
        Assert.True(stage.OverMasked <= 0.3, stage.ToString());
        Assert.True(stage.OverMasked <= hogStage.OverMasked + 0.05, $"{stage} vs {hogStage}");
    }

    private (Figures Today, Figures HogStage, Figures Stage) Report()
    {
        var figures = (set.Today(), set.HogStage(), set.Stage());
        foreach (var f in new[] { figures.Item1, figures.Item2, figures.Item3 })
        {
            output.WriteLine(f.ToString());
            foreach (var leak in f.Leaks)
            {
                output.WriteLine($"  leak: {leak}");
            }
        }

        output.WriteLine(FormattableString.Invariant($"moving-foreground detector {set.ForegroundMsPerFrame:0.0} ms per frame"));
        return figures;
    }
}
