using CameraHub.CameraRegistry.Cameras;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// Asks a camera for a keyframe when its upstream opens, so the first viewer of a cold camera does not wait for the
/// camera's next scheduled one (docs/design/keyframes.md). Best effort: it never blocks or fails the upstream.
/// </summary>
public interface IKeyframeRequests
{
    /// <summary>
    /// Runs beside one upstream run of <paramref name="camera"/> (started when ffmpeg starts) until
    /// <paramref name="firstKeyframe"/> completes, its window passes, the camera refuses, or <paramref name="ct"/> ends.
    /// Returns how many requests the camera accepted. Must not throw.
    /// </summary>
    Task<int> RequestAsync(CameraSource camera, Task firstKeyframe, CancellationToken ct);
}

/// <summary>No keyframe requests (a host without the ONVIF module): the first viewer waits for the camera's own.</summary>
internal sealed class NoKeyframeRequests : IKeyframeRequests
{
    public Task<int> RequestAsync(CameraSource camera, Task firstKeyframe, CancellationToken ct) => Task.FromResult(0);
}
