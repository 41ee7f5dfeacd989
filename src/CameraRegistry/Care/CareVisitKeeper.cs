using System.Collections.Immutable;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CameraHub.CameraRegistry.Care;

/// <summary>A visit whose window closed with no look: raised to the care unit (and, once it exists, the alarm desk).</summary>
public sealed record CareVisitMissed(Guid VisitId, Guid DecisionId, string CameraId, string CareUnit, DateTime PlannedAtUtc, DateTime WindowEndUtc);

/// <summary>Where missed visits are announced; the SignalR push and the alarm desk subscribe.</summary>
public interface ICareVisitFeed
{
    IDisposable Subscribe(Func<CareVisitMissed, Task> handler);
}

/// <summary>In-process feed of missed visits; one failing subscriber does not stop the others.</summary>
public sealed class CareVisitFeed(ILogger<CareVisitFeed> logger) : ICareVisitFeed
{
    private ImmutableArray<Func<CareVisitMissed, Task>> _handlers = [];

    public IDisposable Subscribe(Func<CareVisitMissed, Task> handler)
    {
        ImmutableInterlocked.Update(ref _handlers, h => h.Add(handler));
        return new Unsubscriber(() => ImmutableInterlocked.Update(ref _handlers, h => h.Remove(handler)));
    }

    internal async Task PublishAsync(CareVisitMissed missed)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                await handler(missed);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogError(e, "A subscriber failed on missed visit {Visit}", missed.VisitId);
            }
        }
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

/// <summary>
/// Every visit accounted for: on each tick (every 5 s of the hub's clock) writes the coming days' visits and closes the
/// windows that have passed; each missed visit is audited and announced on <see cref="ICareVisitFeed"/>.
/// </summary>
public sealed class CareVisitKeeper(
    IDbContextFactory<CareDbContext> contexts, CareVisitPlanner.Gate planning, CareVisitFeed feed, IAuditLog audit, TimeProvider time,
    ILogger<CareVisitKeeper> logger, IClusterLeases leases) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                // One node plans and closes at a time, so each missed visit is audited and alarmed once per cluster.
                await leases.RunOnceInClusterAsync("care:visits", TickAsync, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                logger.LogError(e, "Care visits could not be planned or closed; retrying in {Interval}", Interval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One pass: plan, close, raise.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<CareVisit> missed;
        using (await planning.EnterAsync(ct))
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            await CareVisitPlanner.EnsurePlannedAsync(db, now, ct);
            missed = await CareVisitPlanner.CloseWindowsAsync(db, now, ct);
        }

        foreach (var visit in missed)
        {
            await audit.AppendAsync(new AuditEvent(AuditAction.CareVisitMissed, AuditOutcome.Denied, "camerahub", visit.CameraId, "care",
                Details: $"visit planned {VisitSchedule.LocalText(visit.PlannedAtUtc)} (Europe/Stockholm), unit {visit.CareUnit}: the window closed with no look",
                SubjectType: "CareVisit", SubjectId: visit.Id.ToString()), ct);
            await feed.PublishAsync(new CareVisitMissed(visit.Id, visit.DecisionId, visit.CameraId, visit.CareUnit, visit.PlannedAtUtc, visit.WindowEndUtc));
        }
    }
}
