using System.Collections.Concurrent;
using CameraHub.Masking.Calibration;

namespace CameraHub.Masking.Masks;

/// <summary>
/// Masks computed once per calibration and shared: keyed by the calibration's geometry hash, so an edited
/// calibration gets a new mask and an unchanged one is never recomputed.
/// </summary>
public sealed class MaskCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<PrivacyMask>> _masks = new(StringComparer.Ordinal);

    /// <summary>The façade-distance mask of <paramref name="calibration"/>.</summary>
    public PrivacyMask Get(ValidatedCalibration calibration) =>
        _masks.GetOrAdd("facade:" + calibration.Calibration.GeometryHash(), _ => new Lazy<PrivacyMask>(() => FacadeDistanceMask.Build(calibration))).Value;

    /// <summary>The polygon mask for an image size.</summary>
    public PrivacyMask Get(IReadOnlyList<IReadOnlyList<double[]>> polygons, int width, int height)
    {
        var key = $"polygons:{width}x{height}:" + string.Join(';', polygons.Select(p => string.Join(' ', p.Select(v => string.Join(',', v)))));
        return _masks.GetOrAdd(key, _ => new Lazy<PrivacyMask>(() => PrivacyPolygonMask.Build(polygons, width, height))).Value;
    }

    /// <summary>A mask that obscures everything (fail-closed) or keeps everything, for an image size.</summary>
    public PrivacyMask Uniform(bool keep, int width, int height) =>
        _masks.GetOrAdd($"{(keep ? "all-kept" : "all-obscured")}:{width}x{height}",
            _ => new Lazy<PrivacyMask>(() => keep ? PrivacyMask.KeepAll(width, height) : PrivacyMask.ObscureAll(width, height))).Value;

    /// <summary>How many masks are held (for tests and diagnostics).</summary>
    public int Count => _masks.Count;

    public void Dispose()
    {
        foreach (var lazy in _masks.Values.Where(l => l.IsValueCreated))
        {
            lazy.Value.Dispose();
        }

        _masks.Clear();
    }
}
