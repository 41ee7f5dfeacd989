using System.Globalization;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Limits;
using CameraHub.StreamBroker.Recording;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Retention;

/// <summary>A request to keep a camera's footage in a window beyond its retention.</summary>
public sealed record LegalHoldRequest(string CameraId, DateTimeOffset From, DateTimeOffset To, string CaseNumber, DateTimeOffset Until);

/// <summary>A legal hold as the API shows it.</summary>
public sealed record LegalHoldView(
    string Id, string CameraId, DateTimeOffset From, DateTimeOffset To, string CaseNumber, DateTimeOffset Until,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? ReleasedAt, string? ReleasedBy, bool Active);

/// <summary>
/// Creates, lists and releases legal holds, each audited. Administrators use it through /api/legal-holds; evidence
/// requests call <see cref="CreateAsync"/> directly.
/// </summary>
public sealed class LegalHolds(IServiceScopeFactory scopes, IAuditLog audit, ICameraDirectory cameras, TimeProvider time)
{
    /// <summary>Validates and stores a hold; returns it, or the reason it was refused.</summary>
    public async Task<(LegalHoldView? Hold, string? Error)> CreateAsync(LegalHoldRequest request, string actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var error = string.IsNullOrWhiteSpace(request.CameraId) ? "cameraId is required"
            : request.CameraId.Length > FieldLimits.Id ? FieldLimits.TooLong("cameraId", request.CameraId.Length, FieldLimits.Id)
            : string.IsNullOrWhiteSpace(request.CaseNumber) ? "caseNumber is required: a hold exists for a case"
            : request.CaseNumber.Length > FieldLimits.Reference ? FieldLimits.TooLong("caseNumber", request.CaseNumber.Length, FieldLimits.Reference)
            : request.To <= request.From ? "to must be after from"
            : request.Until <= now ? "until must be in the future: a hold that already ended protects nothing"
            : null;
        if (error is null && await cameras.FindAsync(request.CameraId, ct) is null)
        {
            error = $"camera {request.CameraId} does not exist";
        }

        if (error is not null)
        {
            return (null, error);
        }

        var hold = new LegalHold
        {
            Id = Guid.NewGuid().ToString("N"),
            CameraId = request.CameraId,
            FromUtcTicks = request.From.UtcTicks,
            ToUtcTicks = request.To.UtcTicks,
            CaseNumber = request.CaseNumber.Trim(),
            UntilUtcTicks = request.Until.UtcTicks,
            CreatedBy = actor,
            CreatedUtcTicks = now.UtcTicks,
        };
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
            db.LegalHolds.Add(hold);
            await db.SaveChangesAsync(ct);
        }

        await audit.AppendAsync(new AuditEvent(AuditAction.LegalHoldCreated, AuditOutcome.Allowed, actor, hold.CameraId, "legal hold", null,
            string.Create(CultureInfo.InvariantCulture, $"case {hold.CaseNumber}: {request.From:O}..{request.To:O} held until {request.Until:O}"),
            "LegalHold", hold.Id), ct);
        return (View(hold, now.UtcTicks), null);
    }

    public async Task<IReadOnlyList<LegalHoldView>> ListAsync(string? cameraId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var holds = await db.LegalHolds.AsNoTracking().Where(h => cameraId == null || h.CameraId == cameraId).ToListAsync(ct);
        var now = time.GetUtcNow().UtcTicks;
        return [.. holds.OrderBy(h => h.CreatedUtcTicks).Select(h => View(h, now))];
    }

    /// <summary>Releases a hold; false when there is no such active hold.</summary>
    public async Task<bool> ReleaseAsync(string id, string actor, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcTicks;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var hold = await db.LegalHolds.FirstOrDefaultAsync(h => h.Id == id, ct);
        if (hold is null || !hold.IsActive(now))
        {
            return false;
        }

        hold.ReleasedUtcTicks = now;
        hold.ReleasedBy = actor;
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditAction.LegalHoldReleased, AuditOutcome.Allowed, actor, hold.CameraId, "legal hold", null,
            $"case {hold.CaseNumber}", "LegalHold", hold.Id), ct);
        return true;
    }

    private static LegalHoldView View(LegalHold h, long now) => new(
        h.Id, h.CameraId, new(h.FromUtcTicks, TimeSpan.Zero), new(h.ToUtcTicks, TimeSpan.Zero), h.CaseNumber, new(h.UntilUtcTicks, TimeSpan.Zero),
        h.CreatedBy, new(h.CreatedUtcTicks, TimeSpan.Zero), h.ReleasedUtcTicks is { } r ? new(r, TimeSpan.Zero) : null, h.ReleasedBy, h.IsActive(now));
}
