using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Anonymisation;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Masks;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Masking.Files;

/// <summary>Thrown when a camera id is not in the registry.</summary>
public sealed class UnknownCameraException(string cameraId) : Exception($"No camera {cameraId} in the registry.")
{
    public string CameraId { get; } = cameraId;
}

/// <summary>Masks a file with a camera's registered profile and stored calibration (for the CLI and evidence export).</summary>
public sealed class CameraFileMasker(ICameraDirectory cameras, IServiceScopeFactory scopes, MaskCache cache, VideoMasker masker)
{
    /// <summary>Masks <paramref name="input"/> into <paramref name="output"/> as <paramref name="cameraId"/>'s profile requires.</summary>
    /// <exception cref="UnknownCameraException">The camera is not registered.</exception>
    /// <exception cref="CalibrationRejectedException">The calibration is bad or does not fit the footage; nothing is written.</exception>
    public async Task<MaskResult> MaskAsync(string cameraId, string input, string output, CancellationToken ct, VideoWindow? window = null)
    {
        var camera = await cameras.FindAsync(cameraId, ct) ?? throw new UnknownCameraException(cameraId);
        CameraCalibration? calibration = null;
        if (camera.Masking.Kind == MaskingKind.FacadeDistance)
        {
            await using var scope = scopes.CreateAsyncScope();
            calibration = (await scope.ServiceProvider.GetRequiredService<CalibrationStore>().FindAsync(cameraId, ct))?.Calibration;
        }

        return await masker.MaskFileAsync(input, output, info => MaskingPlan.For(camera.Masking, calibration, cache, info.Width, info.Height), ct, window);
    }

    /// <summary>Masks <paramref name="input"/> with a given profile and calibration (a mask version of the camera's history).</summary>
    /// <exception cref="CalibrationRejectedException">The calibration is bad or does not fit the footage; nothing is written.</exception>
    public Task<MaskResult> MaskAsync(string cameraId, MaskingProfile profile, CameraCalibration? calibration, string input, string output, CancellationToken ct,
        VideoWindow? window = null) =>
        masker.MaskFileAsync(input, output, info => MaskingPlan.For(profile, calibration is null ? null : calibration with { CameraId = cameraId }, cache, info.Width, info.Height), ct, window);
}
