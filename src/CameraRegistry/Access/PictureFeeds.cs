using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.MaskLifts;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Access;

/// <summary>A person's feed of a camera: what every path opening a session for a person (live, playback) asks.</summary>
public interface IPictureFeeds
{
    /// <summary>The live feed for <paramref name="reader"/>.</summary>
    Task<FeedDecision> LiveAsync(string reader, CameraSource camera, CancellationToken ct);

    /// <summary>The feed for <paramref name="reader"/> of footage recorded from <paramref name="from"/> to <paramref name="to"/>.</summary>
    Task<FeedDecision> RecordedAsync(string reader, CameraSource camera, DateTimeOffset from, DateTimeOffset to, bool maskedWhenRecorded, CancellationToken ct);

    /// <summary>Whether the lift is still approved and unexpired (an unmasked session under it stops otherwise).</summary>
    Task<bool> LiftInForceAsync(Guid liftId, CancellationToken ct);
}

/// <summary>The rule without lifts, for a host that keeps none (a broker alone): a masked camera is always masked.</summary>
public sealed class UnliftedPictureFeeds(TimeProvider time) : IPictureFeeds
{
    public Task<FeedDecision> LiveAsync(string reader, CameraSource camera, CancellationToken ct) =>
        Task.FromResult(PictureFeedRule.For(camera, reader, [], time.GetUtcNow()));

    public Task<FeedDecision> RecordedAsync(string reader, CameraSource camera, DateTimeOffset from, DateTimeOffset to, bool maskedWhenRecorded, CancellationToken ct) =>
        Task.FromResult(PictureFeedRule.For(camera, reader, [], time.GetUtcNow(), (from, to), maskedWhenRecorded));

    public Task<bool> LiftInForceAsync(Guid liftId, CancellationToken ct) => Task.FromResult(false);
}

/// <summary>
/// Asks <see cref="PictureFeedRule"/> for a reader's feed with the mask lifts in force for them; partner feeds use the
/// rule without lifts (always masked).
/// </summary>
public sealed class PictureFeeds(IDbContextFactory<AccessDbContext> contexts, TimeProvider time) : IPictureFeeds
{
    public async Task<FeedDecision> LiveAsync(string reader, CameraSource camera, CancellationToken ct) =>
        PictureFeedRule.For(camera, reader, await LiftsAsync(reader, camera, ct), time.GetUtcNow());

    public async Task<FeedDecision> RecordedAsync(string reader, CameraSource camera, DateTimeOffset from, DateTimeOffset to, bool maskedWhenRecorded, CancellationToken ct) =>
        PictureFeedRule.For(camera, reader, await LiftsAsync(reader, camera, ct), time.GetUtcNow(), (from, to), maskedWhenRecorded);

    public async Task<bool> LiftInForceAsync(Guid liftId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var lift = await db.MaskLifts.AsNoTracking().FirstOrDefaultAsync(l => l.Id == liftId, ct);
        return lift is not null && lift.InForceAt(time.GetUtcNow().UtcDateTime);
    }

    /// <summary>The reader's approved lifts on the camera (none is looked up for a camera no lift can concern).</summary>
    private async Task<IReadOnlyList<MaskLift>> LiftsAsync(string reader, CameraSource camera, CancellationToken ct)
    {
        if (!camera.Masking.Liftable || camera.Masking.Kind == MaskingKind.None)
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var utc = time.GetUtcNow().UtcDateTime;
        return await db.MaskLifts.AsNoTracking()
            .Where(l => l.CameraId == camera.Id && l.RequestedBy == reader && l.Status == MaskLiftStatus.Approved && l.ExpiresAtUtc > utc)
            .ToListAsync(ct);
    }
}
