using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Recording;
using CameraHub.StreamBroker.Retention;
using CameraHub.StreamBroker.Sharing;

namespace CameraHub.Operations;

/// <summary>Open camera upstreams of one owner by state.</summary>
public sealed record OwnerCameras(string Owner, int Online, int Connecting, int Offline);

/// <summary>An open upstream that is not online, with why.</summary>
public sealed record CameraProblem(string Camera, string Owner, string State, string? Reason, DateTimeOffset? Since);

/// <summary>The hub node answering.</summary>
public sealed record NodeStatus(string Name, string Version, DateTimeOffset StartedAt, double UptimeSeconds);

/// <summary>The last retention sweep.</summary>
public sealed record SweepStatus(DateTimeOffset At, int Deleted, long BytesDeleted, int KeptForHolds, bool Paused);

/// <summary>What the administrators' status page shows (GET /api/operations/status).</summary>
public sealed record OperationsStatus(
    IReadOnlyList<NodeStatus> Nodes,
    IReadOnlyList<OwnerCameras> CamerasByOwner,
    IReadOnlyList<CameraProblem> CamerasNotOnline,
    RecordingHealth Recording,
    bool RecordingDegraded,
    string RecordingSummary,
    IReadOnlyDictionary<string, int> Sessions,
    SweepStatus? LastSweep,
    IReadOnlyList<LoggedProblem> RecentProblems);

/// <summary>GET /api/operations/status for administrators: the same state the metrics and /healthz read, as one document.</summary>
public static class StatusEndpoints
{
    public static IEndpointConventionBuilder MapOperationsStatus(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/operations/status", (PathManager paths, LiveSessions live, RecordingMonitor recording, RetentionSweeper sweeper,
                RecentProblems problems, TimeProvider time, NodeClock clock, IServiceProvider services) =>
            {
                var open = paths.Paths;
                var partners = services.GetService<PartnerSessions>()?.Open ?? [];
                var health = recording.Current();
                var now = time.GetUtcNow();
                return new OperationsStatus(
                    [new NodeStatus(Environment.MachineName, typeof(StatusEndpoints).Assembly.GetName().Version?.ToString() ?? "?", clock.StartedAt, (now - clock.StartedAt).TotalSeconds)],
                    [.. open.GroupBy(p => p.Camera.OwnerId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new OwnerCameras(g.Key,
                        g.Count(p => p.Status.State == CameraLiveState.Online), g.Count(p => p.Status.State == CameraLiveState.Connecting),
                        g.Count(p => p.Status.State == CameraLiveState.Offline)))],
                    [.. open.Where(p => p.Status.State != CameraLiveState.Online).OrderBy(p => p.Camera.Id, StringComparer.Ordinal)
                        .Select(p => new CameraProblem(p.Camera.Id, p.Camera.OwnerId, p.Status.State.ToString(), p.Status.Reason, p.Status.Since))],
                    health,
                    health.Degraded,
                    health.Describe(),
                    new Dictionary<string, int>
                    {
                        ["live"] = live.Open.Count,
                        ["partnerRtsp"] = partners.Count(s => s.Protocol == SharingProtocols.Rtsp),
                        ["partnerHls"] = partners.Count(s => s.Protocol == SharingProtocols.Hls),
                    },
                    sweeper.LastSweep is { } last ? new SweepStatus(last.At, last.Report.Deleted, last.Report.BytesDeleted, last.Report.KeptForHolds, last.Report.Paused) : null,
                    problems.Latest);
            })
            .WithTags("Operations")
            .RequireAuthorization(p => p.RequireRole(HubRoles.Administrator));
}

/// <summary>When this node started (for the uptime on the status page).</summary>
public sealed class NodeClock(TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
