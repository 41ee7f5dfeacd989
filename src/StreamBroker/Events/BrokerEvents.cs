using CameraHub.CameraRegistry.Access;
using Microsoft.AspNetCore.SignalR;

namespace CameraHub.StreamBroker.Events;

/// <summary>State of a camera's upstream as viewers see it.</summary>
public enum CameraLiveState
{
    Idle = 0,
    Connecting = 1,
    Online = 2,
    Offline = 3,
}

/// <summary>A camera's upstream state with the reason a person can act on ("connection refused", "no data for 10 s").</summary>
public sealed record CameraStatusEvent(string CameraId, CameraLiveState State, string? Reason, DateTimeOffset Since);

/// <summary>How many viewers a camera has now.</summary>
public sealed record ViewerCountEvent(string CameraId, int Viewers);

/// <summary>A live session ended by the broker (revoked, allowed hours over, too slow).</summary>
public sealed record SessionEndedEvent(string SessionId, string CameraId, string UserName, string Reason, bool Revoked);

/// <summary>Where the broker announces camera status, viewer counts and ended sessions (SignalR in the host).</summary>
public interface IBrokerEvents
{
    Task CameraStatusChangedAsync(CameraStatusEvent status);

    Task ViewerCountChangedAsync(ViewerCountEvent count);

    Task SessionEndedAsync(SessionEndedEvent ended);
}

/// <summary>
/// SignalR hub at /hubs/events. A client follows the cameras it shows (<see cref="Follow"/>) and hears their status and
/// viewer counts; only cameras the user has some right on can be followed, so the hub tells nobody about cameras
/// outside their business. Ended sessions and evidence progress go to the user concerned without following.
/// </summary>
public sealed class CameraEventsHub(IAccessPolicy policy) : Hub
{
    /// <summary>At most this many cameras per call (a 4×4 wall is 16).</summary>
    public const int MaxFollowed = 100;

    /// <summary>The group that hears one camera's events.</summary>
    public static string GroupOf(string cameraId) => $"camera:{cameraId}";

    /// <summary>Starts sending the named cameras' status and viewer counts to this connection; returns those the user may follow.</summary>
    public async Task<IReadOnlyList<string>> Follow(string[] cameraIds)
    {
        ArgumentNullException.ThrowIfNull(cameraIds);
        var followed = new List<string>();
        foreach (var id in cameraIds.Distinct(StringComparer.Ordinal).Take(MaxFollowed))
        {
            if (await CameraFollowers.MayFollowAsync(policy, Context.User!, id, Context.ConnectionAborted))
            {
                await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(id), Context.ConnectionAborted);
                followed.Add(id);
            }
        }

        return followed;
    }

    /// <summary>Stops sending the named cameras' events to this connection.</summary>
    public async Task Unfollow(string[] cameraIds)
    {
        ArgumentNullException.ThrowIfNull(cameraIds);
        foreach (var id in cameraIds.Distinct(StringComparer.Ordinal).Take(MaxFollowed))
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(id), Context.ConnectionAborted);
        }
    }

    /// <summary>Client method names, stable for the console and scripts.</summary>
    public const string CameraStatus = "cameraStatus";

    public const string ViewerCount = "viewerCount";

    public const string SessionEnded = "sessionEnded";

    /// <summary>The camera moved to another node (issue #17): {cameraId, node, publicUrl}; the console reconnects its viewers there.</summary>
    public const string CameraOwnerChanged = "cameraOwnerChanged";

    /// <summary>Evidence export progress, sent to the requester and the approver only.</summary>
    public const string EvidenceProgress = "evidenceProgress";
}

/// <summary>Addresses SignalR users by their user name (the name grants and audit entries use).</summary>
public sealed class UserNameIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.Identity?.Name;
}

/// <summary>Publishes camera status and viewer counts to the camera's followers, ended sessions to their viewer.</summary>
internal sealed class SignalRBrokerEvents(IHubContext<CameraEventsHub> hub) : IBrokerEvents
{
    public Task CameraStatusChangedAsync(CameraStatusEvent status) =>
        hub.Clients.Group(CameraEventsHub.GroupOf(status.CameraId)).SendAsync(CameraEventsHub.CameraStatus, status);

    public Task ViewerCountChangedAsync(ViewerCountEvent count) =>
        hub.Clients.Group(CameraEventsHub.GroupOf(count.CameraId)).SendAsync(CameraEventsHub.ViewerCount, count);

    // Who watched what is personal data: only the viewer whose session ended hears about it.
    public Task SessionEndedAsync(SessionEndedEvent ended) =>
        hub.Clients.User(ended.UserName).SendAsync(CameraEventsHub.SessionEnded, ended);
}
