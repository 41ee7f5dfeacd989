using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>Limits on what cameras' events may cost (CameraHub:Alarms).</summary>
public sealed class EventLimitOptions
{
    /// <summary>A camera sending more events than this within <see cref="FloodWindowSeconds"/> is flooding.</summary>
    public int FloodEventsPerWindow { get; set; } = 600;

    /// <summary>The window the flood limit counts over.</summary>
    public int FloodWindowSeconds { get; set; } = 60;

    /// <summary>A repeat of a camera's alarm kind within this long of its last occurrence adds to that alarm's count.</summary>
    public int FoldWindowSeconds { get; set; } = 300;

    /// <summary>Stored camera events older than this many days are removed (alarms stay: see docs/design/alarms.md); 0 keeps them.</summary>
    public double EventRetentionDays { get; set; } = 90;

    /// <summary>How often the event sweeper looks.</summary>
    public int EventSweepMinutes { get; set; } = 60;
}

/// <summary>What the flood gate says about a batch of a camera's events.</summary>
/// <param name="Store">How many of the batch fit under the limit and are stored one by one.</param>
/// <param name="Started">This batch made the camera a flooding one (raise the alarm once).</param>
/// <param name="InWindow">Events of the camera in the current window, this batch included.</param>
public sealed record FloodVerdict(int Store, bool Started, int InWindow);

/// <summary>
/// Counts each camera's events in fixed windows (in memory: a restart forgets, which costs at most one more flood
/// alarm). Over the limit a camera is flooding until one whole window stays under it.
/// </summary>
public sealed class EventFlood(IOptions<EventLimitOptions> options)
{
    private readonly Dictionary<string, Window> _cameras = new(StringComparer.Ordinal);

    private int Limit => Math.Max(1, options.Value.FloodEventsPerWindow);

    private long WindowTicks => TimeSpan.FromSeconds(Math.Max(1, options.Value.FloodWindowSeconds)).Ticks;

    /// <summary>Counts a batch of <paramref name="count"/> events of a camera received at <paramref name="now"/>.</summary>
    public FloodVerdict Admit(string cameraId, int count, DateTimeOffset now)
    {
        lock (_cameras)
        {
            if (!_cameras.TryGetValue(cameraId, out var window))
            {
                _cameras[cameraId] = window = new Window { Start = now.UtcTicks };
            }

            Roll(window, now.UtcTicks);
            var store = Math.Clamp(Limit - window.Count, 0, count);
            window.Count += count;
            var started = window.Count > Limit && !window.Flooding;
            if (started)
            {
                window.Flooding = true;
                window.FloodStart = window.Start;
            }

            return new FloodVerdict(store, started, window.Count);
        }
    }

    /// <summary>Cameras that were flooding and have since kept one whole window under the limit (no longer flooding now).</summary>
    public IReadOnlyList<string> Calmed(DateTimeOffset now)
    {
        lock (_cameras)
        {
            var calmed = new List<string>();
            foreach (var (camera, window) in _cameras)
            {
                Roll(window, now.UtcTicks);
                if (window.Flooding && window.PreviousStart > window.FloodStart && window.Previous <= Limit && window.Count <= Limit)
                {
                    window.Flooding = false;
                    calmed.Add(camera);
                }
            }

            // Quiet cameras are forgotten so the table holds only cameras sending now.
            foreach (var quiet in _cameras.Where(c => !c.Value.Flooding && now.UtcTicks - c.Value.Start >= 2 * WindowTicks).Select(c => c.Key).ToList())
            {
                _cameras.Remove(quiet);
            }

            return calmed;
        }
    }

    private void Roll(Window window, long now)
    {
        var elapsed = now - window.Start;
        if (elapsed < WindowTicks)
        {
            return;
        }

        // The window just ended is the previous one only if it ended less than a window ago; else a silent one came between.
        var adjacent = elapsed < 2 * WindowTicks;
        window.PreviousStart = adjacent ? window.Start : now - WindowTicks;
        window.Previous = adjacent ? window.Count : 0;
        window.Start = adjacent ? window.Start + WindowTicks : now;
        window.Count = 0;
    }

    private sealed class Window
    {
        public long Start { get; set; }
        public int Count { get; set; }
        public long PreviousStart { get; set; } = long.MinValue;
        public int Previous { get; set; }
        public bool Flooding { get; set; }
        public long FloodStart { get; set; }
    }
}
