namespace CameraHub.CameraRegistry.Cluster;

/// <summary>
/// Which node pulls a camera (issue #17): exactly one live node owns each camera that is recorded, warm or watched;
/// only the owner opens its upstream, and every other node sends that camera's viewers and partners to the owner.
/// This is the one place that answers "who owns this camera"; on one node (SQLite) the node owns every camera.
/// </summary>
public interface ICameraOwners
{
    /// <summary>The node that owns the camera now, or null when no live node does (an open request should answer 503 and be retried).</summary>
    ValueTask<CameraOwner?> OwnerOfAsync(string cameraId, CancellationToken ct);

    /// <summary>Whether this node holds the camera now (checked before an upstream is opened or kept).</summary>
    bool OwnsLocally(string cameraId);

    /// <summary>Raised on this node when it gains or loses a camera, or learns that another node did.</summary>
    event Action<CameraOwnerChange>? OwnerChanged;

    /// <summary>
    /// Claims the camera for this node when it is this node's to own (its assigned node among the live, undrained ones)
    /// and no other node holds it; true when this node owns it now. Called before an upstream is opened.
    /// </summary>
    ValueTask<bool> TryClaimAsync(string cameraId, CancellationToken ct);

    /// <summary>Gives the camera up (nothing on this node pulls it any more); another node may claim it.</summary>
    ValueTask ReleaseAsync(string cameraId, CancellationToken ct);

    /// <summary>Whether the assignment names this node for the camera (it may claim it; a puller should retry soon when a claim failed).</summary>
    bool IsAssignedLocally(string cameraId);

    /// <summary>Raised when the set of live, undrained nodes changed: the pullers re-decide which cameras are theirs.</summary>
    event Action? MembershipChanged;
}

/// <summary>A camera's owner: the node's name, its advertised public URL (null on a single node) and the claim's epoch, which grows with every change of owner.</summary>
public sealed record CameraOwner(string CameraId, string Node, string? PublicUrl, long Epoch, bool IsLocal);

/// <summary>A camera moved: the previous owner (null when nobody held it) and the new one (null when nobody does now).</summary>
public sealed record CameraOwnerChange(string CameraId, CameraOwner? Previous, CameraOwner? Current);

/// <summary>A cluster of one: this node owns every camera, always.</summary>
public sealed class LocalCameraOwners(NodeIdentity? node = null) : ICameraOwners
{
    public ValueTask<CameraOwner?> OwnerOfAsync(string cameraId, CancellationToken ct) =>
        ValueTask.FromResult<CameraOwner?>(new CameraOwner(cameraId, node?.Name ?? "local", node?.PublicUrl, 1, IsLocal: true));

    public bool OwnsLocally(string cameraId) => true;

    public ValueTask<bool> TryClaimAsync(string cameraId, CancellationToken ct) => ValueTask.FromResult(true);

    public ValueTask ReleaseAsync(string cameraId, CancellationToken ct) => ValueTask.CompletedTask;

    public bool IsAssignedLocally(string cameraId) => true;

    public event Action<CameraOwnerChange>? OwnerChanged
    {
        add { }
        remove { }
    }

    public event Action? MembershipChanged
    {
        add { }
        remove { }
    }
}
