using CameraHub.CameraRegistry.Cameras;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Masking.History;

/// <summary>Starts a new mask version whenever the registry writes a camera's masking profile.</summary>
internal sealed class MaskingProfileLog(IServiceScopeFactory scopes) : IMaskingProfileLog
{
    public async Task ProfilesWrittenAsync(IReadOnlyList<(string CameraId, MaskingProfile Profile)> cameras, string actor, string change, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MaskHistory>().RecordProfilesAsync(cameras, actor, change, ct);
    }
}
