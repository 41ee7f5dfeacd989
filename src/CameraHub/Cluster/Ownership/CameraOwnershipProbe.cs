using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Recording;
using Microsoft.AspNetCore.SignalR;

namespace CameraHub.Cluster.Ownership;

/// <summary>What the console hears when a camera moves: its new owner's name and public URL (both null: nobody holds it).</summary>
public sealed record CameraOwnerChangedEvent(string CameraId, string? Node, string? PublicUrl);

/// <summary>
/// Runs <see cref="PostgresCameraOwners.ProbeAsync"/> every <see cref="PostgresCameraOwners.ProbeInterval"/> and connects
/// the owners to what pulls cameras on this node: a lost or handed-over camera's recorder and paths are stopped (and
/// waited for) before its lock is let go, and a claim is announced to the camera's followers on every node.
/// </summary>
public sealed class CameraOwnershipProbe(
    PostgresCameraOwners owners, PathManager paths, IServiceProvider services, IHubContext<CameraEventsHub> hub, TimeProvider time,
    ILogger<CameraOwnershipProbe> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recorder = services.GetService<Recorder>();
        owners.StopPulling = async cameraId =>
        {
            if (recorder is not null)
            {
                await recorder.StopCameraAsync(cameraId);
            }

            await paths.CloseCameraAsync(cameraId);
        };
        var directory = services.GetRequiredService<ICameraDirectory>();
        owners.Cameras = async ct => [.. (await directory.ActiveCamerasAsync(ct)).Where(c => !UpstreamSchedule.Unreachable(c)).Select(c => c.Id)];
        owners.Publish = (cameraId, owner) => hub.Clients.Group(CameraEventsHub.GroupOf(cameraId))
            .SendAsync(CameraEventsHub.CameraOwnerChanged, new CameraOwnerChangedEvent(cameraId, owner?.Node, owner?.PublicUrl), CancellationToken.None);

        using var timer = new PeriodicTimer(PostgresCameraOwners.ProbeInterval, time);
        do
        {
            try
            {
                await owners.ProbeAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                logger.LogWarning(e, "Camera owners: probe failed");
            }
        }
        while (await NextAsync(timer, stoppingToken));
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken ct)
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
}
