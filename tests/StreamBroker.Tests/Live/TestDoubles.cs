using System.Collections.Concurrent;
using System.Security.Claims;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>A policy each test sets up: which user may watch which camera, and what the camera itself forbids.</summary>
public sealed class TestPolicy : IAccessPolicy
{
    private readonly ConcurrentDictionary<(string User, string Camera), bool> _grants = new();
    private readonly ConcurrentDictionary<string, string> _conflicts = new();

    public void Grant(string user, string camera) => _grants[(user, camera)] = true;

    public void Revoke(string user, string camera) => _grants.TryRemove((user, camera), out _);

    public void Forbid(string camera, string reason) => _conflicts[camera] = reason;

    public Task<AccessDecision> DecideAsync(ClaimsPrincipal user, CameraRight right, string cameraId, CancellationToken ct)
    {
        var name = user.Identity?.Name ?? "";
        if (_conflicts.TryGetValue(cameraId, out var reason))
        {
            return Task.FromResult(AccessDecision.Conflict(reason));
        }

        return Task.FromResult(_grants.ContainsKey((name, cameraId))
            ? AccessDecision.Allow($"{name} has a live grant on {cameraId}")
            : AccessDecision.Forbid($"{name} has no live grant on {cameraId}"));
    }
}

/// <summary>An in-memory audit log the tests read back.</summary>
public sealed class TestAudit : IAuditLog
{
    private readonly ConcurrentQueue<AuditEvent> _events = new();
    private long _sequence;

    public IReadOnlyList<AuditEvent> Events => [.. _events];

    public Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken ct)
    {
        _events.Enqueue(auditEvent);
        return Task.FromResult(Interlocked.Increment(ref _sequence));
    }
}

/// <summary>A feed the test raises by hand, as the registry does when a grant is revoked.</summary>
public sealed class TestAccessFeed : IAccessChangeFeed
{
    private readonly ConcurrentDictionary<Guid, Func<AccessChanged, Task>> _handlers = new();

    public IDisposable Subscribe(Func<AccessChanged, Task> handler)
    {
        var id = Guid.NewGuid();
        _handlers[id] = handler;
        return new Unsubscriber(() => _handlers.TryRemove(id, out _));
    }

    public Task RaiseAsync(AccessChanged change) => Task.WhenAll(_handlers.Values.Select(h => h(change)));

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

/// <summary>Cameras the test registers.</summary>
public sealed class TestDirectory : ICameraDirectory
{
    private readonly ConcurrentDictionary<string, CameraSource> _cameras = new();

    public ConcurrentDictionary<string, double> Bitrates { get; } = new();

    public CameraSource Add(
        string id, string? rtspUrl, RtspTransport transport = RtspTransport.Tcp, CameraMode mode = CameraMode.LiveOnly, string? allowedHours = "always",
        int? retentionDays = null, string? username = null, string? password = null, CameraCategory category = CameraCategory.Traffic,
        string? onvifUrl = null)
    {
        var camera = new CameraSource(id, $"Test camera {id}", "org-test", category, mode, CameraStatus.Active, true,
            allowedHours, retentionDays, rtspUrl, onvifUrl, transport, username, password, new MaskingProfile(), []);
        _cameras[id] = camera;
        return camera;
    }

    public Task<CameraSource?> FindAsync(string cameraId, CancellationToken ct) => Task.FromResult(_cameras.GetValueOrDefault(cameraId));

    /// <summary>Like the registry: active cameras, every mode.</summary>
    public Task<IReadOnlyList<CameraSource>> ActiveCamerasAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<CameraSource>>([.. _cameras.Values.Where(c => c.Status == CameraStatus.Active)]);

    public Task ReportBitrateAsync(string cameraId, double kbps, CancellationToken ct)
    {
        Bitrates[cameraId] = kbps;
        return Task.CompletedTask;
    }
}

/// <summary>Records what the broker would push over SignalR.</summary>
public sealed class TestEvents : IBrokerEvents
{
    private readonly ConcurrentQueue<object> _events = new();

    public IReadOnlyList<object> Events => [.. _events];

    public Task CameraStatusChangedAsync(CameraStatusEvent status)
    {
        _events.Enqueue(status);
        return Task.CompletedTask;
    }

    public Task ViewerCountChangedAsync(ViewerCountEvent count)
    {
        _events.Enqueue(count);
        return Task.CompletedTask;
    }

    public Task SessionEndedAsync(SessionEndedEvent ended)
    {
        _events.Enqueue(ended);
        return Task.CompletedTask;
    }
}
