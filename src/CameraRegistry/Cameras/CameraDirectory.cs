using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.CameraRegistry.Cameras;

/// <summary>What the broker and masking need to know about a camera, password decrypted for use (never for display).</summary>
public sealed record CameraSource(
    string Id,
    string Name,
    string OwnerId,
    CameraCategory Category,
    CameraMode Mode,
    CameraStatus Status,
    bool LegalBasisValid,
    string? AllowedHours,
    int? RetentionDays,
    string? RtspUrl,
    string? OnvifUrl,
    RtspTransport RtspTransport,
    string? Username,
    string? Password,
    MaskingProfile Masking,
    IReadOnlyList<string> SharingPartnerIds);

/// <summary>Read access to cameras for the other modules (singleton-safe; opens its own scope).</summary>
public interface ICameraDirectory
{
    Task<CameraSource?> FindAsync(string cameraId, CancellationToken ct);

    /// <summary>Active cameras, every mode: the recorder and the warm upstreams each pick theirs by their own schedule.</summary>
    Task<IReadOnlyList<CameraSource>> ActiveCamerasAsync(CancellationToken ct);

    /// <summary>Stores a bitrate measured by the broker (feeds the cost report).</summary>
    Task ReportBitrateAsync(string cameraId, double kbps, CancellationToken ct);
}

internal sealed class CameraDirectory(IServiceScopeFactory scopes, CredentialProtector protector, TimeProvider time) : ICameraDirectory
{
    public async Task<CameraSource?> FindAsync(string cameraId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var camera = await db.Cameras.AsNoTracking().FirstOrDefaultAsync(c => c.Id == cameraId, ct);
        return camera is null ? null : ToSource(camera);
    }

    public async Task<IReadOnlyList<CameraSource>> ActiveCamerasAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var cameras = await db.Cameras.AsNoTracking().Where(c => c.Status == CameraStatus.Active).ToListAsync(ct);
        return [.. cameras.Select(ToSource)];
    }

    public async Task ReportBitrateAsync(string cameraId, double kbps, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        await db.Cameras.Where(c => c.Id == cameraId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MeasuredBitrateKbps, kbps), ct);
    }

    private CameraSource ToSource(Camera c) => new(
        c.Id, c.Name, c.OwnerId, c.Category, c.Mode, c.Status,
        c.LegalBasis.IsValidOn(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)),
        c.AllowedHours, c.RetentionDays, c.RtspUrl, c.OnvifUrl, c.RtspTransport, c.Username,
        c.ProtectedPassword is null ? null : protector.Unprotect(c.ProtectedPassword),
        c.Masking, c.SharingPartnerIds);
}
