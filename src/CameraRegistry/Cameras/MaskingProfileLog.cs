namespace CameraHub.CameraRegistry.Cameras;

/// <summary>
/// Told of every camera write that sets a masking profile (create, update, import), right after it is saved, so the
/// masking module can start a new mask version at that moment (DESIGN.md 4.6: footage is masked with the mask in
/// force when it was recorded). Implemented by the masking module; a host without one keeps no history.
/// </summary>
public interface IMaskingProfileLog
{
    /// <summary>The cameras whose profile was just written, by <paramref name="actor"/>, and why.</summary>
    Task ProfilesWrittenAsync(IReadOnlyList<(string CameraId, MaskingProfile Profile)> cameras, string actor, string change, CancellationToken ct);
}
