using System.Security.Claims;
using CameraHub.CameraRegistry.Access;

namespace CameraHub.StreamBroker.Events;

/// <summary>
/// Who may learn a camera's live state (online or not, how many watch it): only users with some right on that camera.
/// Which cameras are in use, and by how many, is itself information about people's surveillance.
/// </summary>
public static class CameraFollowers
{
    /// <summary>True when <paramref name="user"/> holds any right on the camera now.</summary>
    public static async Task<bool> MayFollowAsync(IAccessPolicy policy, ClaimsPrincipal user, string cameraId, CancellationToken ct)
    {
        foreach (var right in AccessPolicy.AllRights)
        {
            if ((await policy.DecideAsync(user, right, cameraId, ct)).Allowed)
            {
                return true;
            }
        }

        return false;
    }
}
