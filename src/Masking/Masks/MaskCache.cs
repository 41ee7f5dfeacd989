using System.Collections.Concurrent;
using CameraHub.Masking.Calibration;

namespace CameraHub.Masking.Masks;

/// <summary>
/// Masks computed once per calibration and shared: keyed by the calibration's geometry hash, so an edited
/// calibration gets a new mask and an unchanged one is never recomputed. Holds at most <see cref="Capacity"/> masks
/// (a 1080p mask is a few MB of native memory, and a city has thousands of cameras); the least recently used go first.
/// </summary>
public sealed class MaskCache(int capacity = MaskCache.DefaultCapacity) : IDisposable
{
    /// <summary>Enough for every camera being exported or shared at once in a city the size of Göteborg.</summary>
    public const int DefaultCapacity = 64;

    private readonly ConcurrentDictionary<string, Entry> _masks = new(StringComparer.Ordinal);
    private readonly Lock _trimming = new();
    private long _clock;

    /// <summary>How many masks the cache keeps.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be at least 1");

    /// <summary>The façade-distance mask of <paramref name="calibration"/>.</summary>
    public PrivacyMask Get(ValidatedCalibration calibration) =>
        GetOrBuild("facade:" + calibration.Calibration.GeometryHash(), () => FacadeDistanceMask.Build(calibration));

    /// <summary>The polygon mask for an image size.</summary>
    public PrivacyMask Get(IReadOnlyList<IReadOnlyList<double[]>> polygons, int width, int height)
    {
        var key = $"polygons:{width}x{height}:" + string.Join(';', polygons.Select(p => string.Join(' ', p.Select(v => string.Join(',', v)))));
        return GetOrBuild(key, () => PrivacyPolygonMask.Build(polygons, width, height));
    }

    /// <summary>A mask that obscures everything (fail-closed) or keeps everything, for an image size.</summary>
    public PrivacyMask Uniform(bool keep, int width, int height) =>
        GetOrBuild($"{(keep ? "all-kept" : "all-obscured")}:{width}x{height}",
            () => keep ? PrivacyMask.KeepAll(width, height) : PrivacyMask.ObscureAll(width, height));

    /// <summary>How many masks are held (for tests and diagnostics).</summary>
    public int Count => _masks.Count;

    private PrivacyMask GetOrBuild(string key, Func<PrivacyMask> build)
    {
        var entry = _masks.GetOrAdd(key, _ => new Entry(new Lazy<PrivacyMask>(build)));
        entry.LastUsed = Interlocked.Increment(ref _clock);
        var mask = entry.Mask.Value;
        if (_masks.Count > Capacity)
        {
            Trim();
        }

        return mask;
    }

    // Evicted masks are not disposed: a masker or partner feed may still be using one. They are dropped from the
    // cache only, and their native memory is released when the last user lets go (OpenCV Mats finalise themselves).
    private void Trim()
    {
        lock (_trimming)
        {
            foreach (var (key, _) in _masks.OrderBy(m => m.Value.LastUsed).Take(Math.Max(0, _masks.Count - Capacity)).ToList())
            {
                _masks.TryRemove(key, out _);
            }
        }
    }

    public void Dispose()
    {
        foreach (var entry in _masks.Values.Where(e => e.Mask.IsValueCreated))
        {
            entry.Mask.Value.Dispose();
        }

        _masks.Clear();
    }

    private sealed class Entry(Lazy<PrivacyMask> mask)
    {
        public Lazy<PrivacyMask> Mask { get; } = mask;

        public long LastUsed { get; set; }
    }
}
