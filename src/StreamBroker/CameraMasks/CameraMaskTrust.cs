using System.Collections.Concurrent;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>Where a masked camera is masked now, as the API, the camera page and the inventory report show it.</summary>
/// <param name="AtCamera">True while the camera's own masks are verified and its stream is relayed as it is.</param>
/// <param name="VerifiedAt">When the last verification passed (null: never on this node).</param>
/// <param name="Reason">What the last look found (verified figures, why the hub masks, the failure).</param>
/// <param name="CheckedAt">When the camera was last looked at.</param>
public sealed record CameraMaskSite(bool AtCamera, DateTimeOffset? VerifiedAt, string Reason, DateTimeOffset? CheckedAt);

/// <summary>
/// Which masked cameras are trusted to mask themselves, per node and in memory (a restart trusts none: fail closed).
/// Trust names the camera path object, its upstream run and the mask (bitmap hash and profile definition) it was
/// verified for; readers let onto the camera's own path under it are remembered and ended as soon as trust is lost —
/// on a reconnect (under the path's lock, before the new run's first picture), a failed verification or a mask change.
/// </summary>
public sealed class CameraMaskTrust(TimeProvider time) : CameraRegistry.Reports.ICameraMaskSites
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How old a verification may get before trust lapses (the watch re-verifies before).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(61);

    /// <summary>
    /// Where the camera with <paramref name="masking"/> is masked now (null when it has never been looked at on this
    /// node): at the camera only while its verification holds for this profile.
    /// </summary>
    public CameraMaskSite? Site(string cameraId, MaskingProfile masking) =>
        _entries.TryGetValue(cameraId, out var e) ? e.Site(time.GetUtcNow(), MaxAge, Definition(masking)) : null;

    public DateTimeOffset? VerifiedAtCamera(string cameraId, MaskingProfile masking) => Site(cameraId, masking) is { AtCamera: true } site ? site.VerifiedAt : null;

    /// <summary>
    /// Lets <paramref name="viewer"/> read the camera's own path when the camera's masks are verified for that path's
    /// current run and for this profile; remembers it so losing trust ends it. False: the reader gets the hub's masked feed.
    /// </summary>
    public bool Admit(CameraSource camera, CameraPath? path, Viewer viewer)
    {
        if (path is null || !_entries.TryGetValue(camera.Id, out var entry))
        {
            return false;
        }

        lock (entry)
        {
            if (!entry.Trusts(path, Definition(camera.Masking), time.GetUtcNow(), MaxAge))
            {
                return false;
            }

            entry.Readers.RemoveAll(v => v.EndReason is not null);
            entry.Readers.Add(viewer);
            return true;
        }
    }

    /// <summary>Whether trust holds for this camera on <paramref name="path"/> (the watch's and the API's question).</summary>
    public bool Trusts(CameraSource camera, CameraPath? path) =>
        path is not null && _entries.TryGetValue(camera.Id, out var entry) && entry.Trusts(path, Definition(camera.Masking), time.GetUtcNow(), MaxAge);

    /// <summary>What the last passed verification was for, to tell whether the mask changed since.</summary>
    public (string? MaskSha, CameraPath? Path, int Run, DateTimeOffset? At) Verified(string cameraId) =>
        _entries.TryGetValue(cameraId, out var e) && e.VerifiedAt is { } at ? (e.MaskSha, e.Path, e.Run, at) : (null, null, 0, null);

    /// <summary>A verification passed: trusted for this path, run and mask from now.</summary>
    public void Passed(CameraSource camera, CameraPath path, int run, string maskSha, string reason)
    {
        var entry = _entries.GetOrAdd(camera.Id, _ => new Entry());
        lock (entry)
        {
            if (!ReferenceEquals(entry.Path, path))
            {
                path.Reconnected += _ => Lose(camera.Id, path, "the camera reconnected: its masks are verified again before its picture is relayed");
            }

            (entry.Path, entry.Run, entry.MaskSha, entry.Definition) = (path, run, maskSha, Definition(camera.Masking));
            entry.VerifiedAt = entry.CheckedAt = time.GetUtcNow();
            entry.Reason = reason;
        }
    }

    /// <summary>The camera masks in the hub (a failure, no Media2 masks, a profile that does not fit): ends readers on its own path.</summary>
    public void Distrust(string cameraId, string reason)
    {
        var entry = _entries.GetOrAdd(cameraId, _ => new Entry());
        List<Viewer> readers;
        lock (entry)
        {
            entry.VerifiedAt = null;
            entry.CheckedAt = time.GetUtcNow();
            entry.Reason = reason;
            readers = [.. entry.Readers];
            entry.Readers.Clear();
        }

        foreach (var reader in readers)
        {
            reader.End($"camera '{cameraId}' is masked in the hub again: {reason}", revoked: true);
        }
    }

    /// <summary>Trust lost on one path (its upstream reconnected): ends its trusted readers at once.</summary>
    private void Lose(string cameraId, CameraPath path, string reason)
    {
        if (_entries.TryGetValue(cameraId, out var entry) && ReferenceEquals(entry.Path, path) && entry.VerifiedAt is not null)
        {
            Distrust(cameraId, reason);
        }
    }

    /// <summary>The profile's definition as trust compares it: kind, keep distance and polygons.</summary>
    internal static string Definition(MaskingProfile masking) =>
        $"{masking.Kind}|{masking.KeepDistanceMetres}|{string.Join(';', masking.Polygons.Select(p => string.Join(' ', p.Select(pt => string.Join(',', pt)))))}";

    private sealed class Entry
    {
        public CameraPath? Path;
        public int Run;
        public string? MaskSha;
        public string? Definition;
        public DateTimeOffset? VerifiedAt;
        public DateTimeOffset? CheckedAt;
        public string Reason = "not looked at yet";
        public readonly List<Viewer> Readers = [];

        public bool Trusts(CameraPath path, string definition, DateTimeOffset now, TimeSpan maxAge) =>
            VerifiedAt is { } at && now - at <= maxAge && ReferenceEquals(Path, path) && Run == path.UpstreamStarts
            && path.Status.State == Events.CameraLiveState.Online && string.Equals(Definition, definition, StringComparison.Ordinal);

        public CameraMaskSite Site(DateTimeOffset now, TimeSpan maxAge, string definition)
        {
            lock (this)
            {
                var atCamera = VerifiedAt is { } at && Path is { } p && now - at <= maxAge && Run == p.UpstreamStarts
                    && string.Equals(Definition, definition, StringComparison.Ordinal);
                return new CameraMaskSite(atCamera, VerifiedAt, Reason, CheckedAt);
            }
        }
    }
}
