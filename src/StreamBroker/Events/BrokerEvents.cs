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

/// <summary>SignalR hub at /hubs/events: camera status, viewer counts, access revoked. Clients only listen.</summary>
public sealed class CameraEventsHub : Hub
{
    /// <summary>Client method names, stable for the console and scripts.</summary>
    public const string CameraStatus = "cameraStatus";

    public const string ViewerCount = "viewerCount";

    public const string SessionEnded = "sessionEnded";

    /// <summary>Evidence export progress, sent to the requester and the approver only.</summary>
    public const string EvidenceProgress = "evidenceProgress";
}

/// <summary>Addresses SignalR users by their user name (the name grants and audit entries use).</summary>
public sealed class UserNameIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.Identity?.Name;
}

/// <summary>Publishes camera status and viewer counts to every connected SignalR client, ended sessions to their viewer.</summary>
internal sealed class SignalRBrokerEvents(IHubContext<CameraEventsHub> hub) : IBrokerEvents
{
    public Task CameraStatusChangedAsync(CameraStatusEvent status) =>
        hub.Clients.All.SendAsync(CameraEventsHub.CameraStatus, status);

    public Task ViewerCountChangedAsync(ViewerCountEvent count) =>
        hub.Clients.All.SendAsync(CameraEventsHub.ViewerCount, count);

    // Who watched what is personal data: only the viewer whose session ended hears about it.
    public Task SessionEndedAsync(SessionEndedEvent ended) =>
        hub.Clients.User(ended.UserName).SendAsync(CameraEventsHub.SessionEnded, ended);
}
