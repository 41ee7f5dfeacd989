using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>
/// SignalR hub at /hubs/alarms: every signed-in connection hears new alarms and state changes of the alarms its
/// user may see (<see cref="AlarmVisibility"/>), as "alarm" messages carrying an <see cref="AlarmView"/>.
/// </summary>
[Authorize]
public sealed class AlarmsHub(AlarmListeners listeners) : Hub
{
    /// <summary>The client method name, stable for the console and scripts.</summary>
    public const string AlarmMessage = "alarm";

    public override Task OnConnectedAsync()
    {
        listeners.Add(Context.ConnectionId, Context.User!);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        listeners.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>
/// The connected listeners and what each may see. A user's scope is looked up again after 30 s, so a revoked grant
/// stops the pushes soon without a lookup per alarm and connection.
/// </summary>
public sealed class AlarmListeners(AlarmVisibility visibility, TimeProvider time)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, Listener> _listeners = new(StringComparer.Ordinal);

    private sealed class Listener(ClaimsPrincipal user)
    {
        public ClaimsPrincipal User { get; } = user;
        public AlarmVisibility.Scope? Scope { get; set; }
        public DateTimeOffset ScopeAt { get; set; }
    }

    public void Add(string connectionId, ClaimsPrincipal user) => _listeners[connectionId] = new Listener(user);

    public void Remove(string connectionId) => _listeners.TryRemove(connectionId, out _);

    /// <summary>The connections entitled to <paramref name="alarm"/>.</summary>
    public async Task<IReadOnlyList<string>> EntitledAsync(Alarm alarm, CancellationToken ct)
    {
        var entitled = new List<string>();
        foreach (var (id, listener) in _listeners)
        {
            var now = time.GetUtcNow();
            if (listener.Scope is null || now - listener.ScopeAt > Fresh)
            {
                listener.Scope = await visibility.ForAsync(listener.User, ct);
                listener.ScopeAt = now;
            }

            if (listener.Scope.Sees(alarm))
            {
                entitled.Add(id);
            }
        }

        return entitled;
    }
}

/// <summary>Pushes an alarm to the connections entitled to it; a failed push is logged, never lost from the store.</summary>
internal sealed class SignalRAlarmNotifier(IHubContext<AlarmsHub> hub, AlarmListeners listeners, ILogger<SignalRAlarmNotifier> logger) : IAlarmNotifier
{
    public async Task AlarmChangedAsync(AlarmView alarm, CancellationToken ct)
    {
        try
        {
            var connections = await listeners.EntitledAsync(
                new Alarm { Kind = alarm.Kind, Key = string.Empty, Text = alarm.Text, CameraId = alarm.CameraId, OwnerId = alarm.OwnerId }, ct);
            if (connections.Count > 0)
            {
                await hub.Clients.Clients(connections).SendAsync(AlarmsHub.AlarmMessage, alarm, ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not push alarm {Alarm} to the console", alarm.Id);
        }
    }
}
