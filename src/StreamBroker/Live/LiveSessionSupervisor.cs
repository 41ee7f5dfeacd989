using CameraHub.CameraRegistry.Access;
using CameraHub.StreamBroker.Sessions;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// Keeps open live views honest: re-checks them with the policy whenever access changes (revocation ends a view at
/// once), ends them when allowed hours end or HLS goes quiet (checked every second), and ends all at shutdown.
/// </summary>
internal sealed class LiveSessionSupervisor(
    LiveSessions sessions, IEnumerable<IAccessChangeFeed> feeds, TimeProvider time, ILogger<LiveSessionSupervisor> logger)
    : SessionSupervisor(feeds, time, logger, TimeSpan.FromSeconds(1))
{
    protected override string Sessions => "live sessions";

    protected override Task RecheckAsync(AccessChanged change) => sessions.RecheckAsync(change, CancellationToken.None);

    protected override Task SweepAsync(CancellationToken ct) => sessions.SweepAsync();

    protected override Task EndAllAsync(string reason) => sessions.EndAllAsync(reason);
}
