using OpenCvSharp;

namespace CameraHub.Masking.Anonymisation;

/// <summary>
/// What the person stage decided for one frame: the boxes to obscure on top of the static mask, or — when the detector
/// failed on the detection before or after the frame — the whole leak region.
/// </summary>
public sealed record PersonVerdict(IReadOnlyList<Rect> Obscure, bool WholeRegion, bool Detected, int PeopleObscured, int PeopleKept)
{
    /// <summary>Nobody to obscure (the static mask decides alone).</summary>
    public static readonly PersonVerdict Nobody = new([], false, false, 0, 0);
}

/// <summary>
/// Runs the person detector on every n-th frame (at least <see cref="PersonStageOptions.DetectionsPerSecond"/> per second,
/// and at once on a scene change) and decides the frames between two detections from both: the boxes of the detection
/// before, grown by the time since it, united with the boxes of the detection after, grown by the time until it. A
/// person who walks in between two detections is therefore covered from the detection that first sees them backwards.
/// Frames wait here until the detection after them has run (at most n frames); the last frame of a video is always a
/// detection. When a detection fails, the frames on both sides of it get the whole leak region obscured.
/// Not thread-safe: one instance per video, fed in frame order.
/// </summary>
public sealed class PersonSchedule<T> : IDisposable
{
    private const int ThumbnailWidth = 48;
    private readonly PersonStage _stage;
    private readonly double _fps;
    private readonly int _every;
    private readonly List<(T Item, Mat Luma, int Index, IReadOnlyList<Rect> Moving)> _pending = [];
    private readonly MovingForeground? _foreground;
    private readonly Mat _thumbnail = new();
    private readonly Mat _lastThumbnail = new();
    private readonly Mat _difference = new();
    private Detection? _last;
    private int _next;
    private bool _movedSinceDetection = true;

    public PersonSchedule(PersonStage stage, double framesPerSecond)
    {
        _stage = stage;
        _fps = framesPerSecond > 0 ? framesPerSecond : 25;
        var perSecond = Math.Max(1, stage.Options.DetectionsPerSecond);
        _every = Math.Max(1, (int)Math.Floor(_fps / perSecond));
        _foreground = stage.CreateForeground();
    }

    /// <summary>Frames between two detections (1 = every frame).</summary>
    public int DetectEvery => _every;

    /// <summary>Detections run so far.</summary>
    public int Detections { get; private set; }

    /// <summary>Detections forced by a scene change.</summary>
    public int SceneChanges { get; private set; }

    /// <summary>Detections that failed (their neighbourhood got the whole leak region obscured).</summary>
    public int Failures { get; private set; }

    /// <summary>Detections skipped because nothing moved in the leak region since the last one (its boxes were carried instead).</summary>
    public int Skipped { get; private set; }

    /// <summary>Whether the moving-foreground detector runs beside HOG.</summary>
    public bool WatchesMovement => _foreground is not null;

    /// <summary>Wall time spent in the detector.</summary>
    public TimeSpan DetectorTime { get; private set; }

    /// <summary>Wall time spent in the moving-foreground detector (every frame).</summary>
    public TimeSpan ForegroundTime { get; private set; }

    /// <summary>Takes the next frame (its luma plane stays untouched until the frame is handed back) and returns the frames now decided, in order.</summary>
    public IReadOnlyList<(T Item, PersonVerdict Verdict)> Push(T item, Mat luma)
    {
        var index = _next++;
        var moving = Moving(luma);
        var sceneChange = _last is not null && SceneChanged(luma);
        if (_last is not null && !sceneChange && index - _last.Index < _every)
        {
            _pending.Add((item, luma, index, moving));
            return [];
        }

        SceneChanges += sceneChange ? 1 : 0;
        return DetectAndRelease(item, luma, index, moving, mayCarry: !sceneChange);
    }

    private IReadOnlyList<Rect> Moving(Mat luma)
    {
        if (_foreground is null)
        {
            return [];
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var boxes = _foreground.Next(luma);
            _movedSinceDetection |= _foreground.Moved;
            return boxes;
        }
        catch (Exception e) when (e is OpenCVException or OpenCvSharpException)
        {
            // Fail closed: the frame gets the whole leak region (a box of the region's size stands for it).
            _movedSinceDetection = true;
            return [_stage.Region!.Bounds];
        }
        finally
        {
            ForegroundTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>At the end of the video: detects on the last waiting frame and returns everything still waiting.</summary>
    public IReadOnlyList<(T Item, PersonVerdict Verdict)> Complete()
    {
        if (_pending.Count == 0)
        {
            return [];
        }

        var (item, luma, index, moving) = _pending[^1];
        _pending.RemoveAt(_pending.Count - 1);
        return DetectAndRelease(item, luma, index, moving, mayCarry: false);
    }

    private List<(T Item, PersonVerdict Verdict)> DetectAndRelease(T item, Mat luma, int index, IReadOnlyList<Rect> moving, bool mayCarry)
    {
        var detection = (mayCarry ? Carry(index) : null) ?? Run(luma, index);
        _movedSinceDetection = false;
        var ready = new List<(T, PersonVerdict)>(_pending.Count + 1);
        foreach (var (waiting, _, at, movingThen) in _pending)
        {
            ready.Add((waiting, With(Between(_last, detection, at), movingThen)));
        }

        ready.Add((item, detection.Failed
            ? new PersonVerdict([], true, true, 0, 0)
            : With(new PersonVerdict(detection.Boxes, false, detection.FoundAt == index, detection.Boxes.Count, detection.Kept), moving)));
        _pending.Clear();
        _last = detection;
        return ready;
    }

    /// <summary>
    /// When nothing has moved in the leak region since the last detection, less than a second ago, nobody can have come
    /// or gone: its boxes are carried (grown by the time since the detection that found them) instead of searching again.
    /// </summary>
    private Detection? Carry(int index)
    {
        if (_foreground is null || _movedSinceDetection || _last is not { Failed: false } last || index - last.FoundAt >= _fps)
        {
            return null;
        }

        Skipped++;
        var bounds = new Rect(0, 0, _stage.Region!.Width, _stage.Region.Height);
        var growth = _stage.Options.MarginGrowthPerSecond * (index - last.FoundAt) / _fps;
        return new Detection(index, last.Boxes.Select(b => GrowBy(b, growth, bounds)).ToList(), last.Kept, false) { FoundAt = last.FoundAt };
    }

    private static PersonVerdict With(PersonVerdict verdict, IReadOnlyList<Rect> moving) =>
        moving.Count == 0 || verdict.WholeRegion ? verdict : verdict with { Obscure = [.. verdict.Obscure, .. moving] };

    private Detection Run(Mat luma, int index)
    {
        Detections++;
        Thumbnail(luma).CopyTo(_lastThumbnail);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var sightings = _stage.Detect(luma);
            var beyond = sightings.Where(s => s.BeyondKeepDistance).Select(s => s.Box).ToList();
            return new Detection(index, beyond, sightings.Count - beyond.Count, false);
        }
        catch (Exception e) when (e is OpenCVException or OpenCvSharpException)
        {
            // Fail closed: without a verdict on the people here, nobody in the leak region may be shown.
            Failures++;
            return new Detection(index, [], 0, true);
        }
        finally
        {
            DetectorTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }
    }

    private PersonVerdict Between(Detection? before, Detection after, int index)
    {
        if (after.Failed || before is { Failed: true })
        {
            return new PersonVerdict([], true, false, 0, 0);
        }

        var boxes = new List<Rect>();
        var bounds = new Rect(0, 0, _stage.Region?.Width ?? int.MaxValue, _stage.Region?.Height ?? int.MaxValue);
        var growth = _stage.Options.MarginGrowthPerSecond;
        if (before is not null)
        {
            boxes.AddRange(before.Boxes.Select(b => GrowBy(b, growth * (index - before.Index) / _fps, bounds)));
        }

        boxes.AddRange(after.Boxes.Select(b => GrowBy(b, growth * (after.Index - index) / _fps, bounds)));
        return new PersonVerdict(boxes, false, false, boxes.Count, 0);
    }

    /// <summary>Grows a box on every side by <paramref name="heights"/> times its height (people move about as far sideways as their height suggests).</summary>
    private static Rect GrowBy(Rect box, double heights, Rect bounds)
    {
        var m = (int)Math.Ceiling(box.Height * heights);
        return new Rect(box.X - m, box.Y - m, box.Width + (2 * m), box.Height + (2 * m)).Intersect(bounds);
    }

    private bool SceneChanged(Mat luma)
    {
        if (_lastThumbnail.Empty())
        {
            return false;
        }

        Cv2.Absdiff(Thumbnail(luma), _lastThumbnail, _difference);
        return Cv2.Mean(_difference).Val0 > _stage.Options.SceneChangeLevel;
    }

    private Mat Thumbnail(Mat luma)
    {
        var area = _stage.Region is { Bounds.Width: > 0 } r ? r.Bounds : new Rect(0, 0, luma.Width, luma.Height);
        using var crop = luma[area];
        var height = Math.Max(1, area.Height * ThumbnailWidth / Math.Max(1, area.Width));
        if (crop.Channels() == 1)
        {
            Cv2.Resize(crop, _thumbnail, new Size(ThumbnailWidth, height), 0, 0, InterpolationFlags.Area);
        }
        else
        {
            using var grey = crop.CvtColor(ColorConversionCodes.BGR2GRAY);
            Cv2.Resize(grey, _thumbnail, new Size(ThumbnailWidth, height), 0, 0, InterpolationFlags.Area);
        }

        return _thumbnail;
    }

    public void Dispose()
    {
        _thumbnail.Dispose();
        _lastThumbnail.Dispose();
        _difference.Dispose();
        _foreground?.Dispose();
    }

    private sealed record Detection(int Index, IReadOnlyList<Rect> Boxes, int Kept, bool Failed)
    {
        /// <summary>The frame the detector last actually searched (a carried detection keeps its origin's).</summary>
        public int FoundAt { get; init; } = Index;
    }
}
