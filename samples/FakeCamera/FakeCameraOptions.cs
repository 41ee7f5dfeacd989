namespace CameraHub.FakeCamera;

/// <summary>What one simulated camera is and how it behaves.</summary>
public sealed record FakeCameraOptions
{
    /// <summary>The registry id (e.g. "TRF-001"); also the device's serial number.</summary>
    public required string CameraId { get; init; }

    /// <summary>Burned into the picture and announced in the discovery scopes.</summary>
    public string Name { get; init; } = "CameraHub fake camera";

    public string Manufacturer { get; init; } = "CameraHub";
    public string Model { get; init; } = "FakeCam 1";
    public string Firmware { get; init; } = "1.0.0";
    public string Username { get; init; } = "admin";
    public string Password { get; init; } = "fake-camera";

    /// <summary>How far the camera's clock is off ours (positive: ahead); tests that the client dates its tokens in device time.</summary>
    public TimeSpan ClockOffset { get; init; }

    /// <summary>How far a token's Created may be from the camera clock before it is refused (real devices are strict too).</summary>
    public TimeSpan TokenTolerance { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Answer every authenticated call with an HTTP Digest challenge instead of checking WS-Security.</summary>
    public bool RequireHttpDigest { get; init; }

    /// <summary>Offer Profile G: a recording and replay service with one recording that replays the live stream.</summary>
    public bool RecordsOnboard { get; init; }

    /// <summary>Offer an ONVIF event service with scripted motion, tamper and input events (<see cref="SimulatedCamera.Events"/>).</summary>
    public bool EventService { get; init; } = true;

    /// <summary>Start the GStreamer RTSP test pattern (off for SOAP-only tests).</summary>
    public bool StartRtsp { get; init; } = true;

    public int Width { get; init; } = 640;
    public int Height { get; init; } = 360;
    public int FramesPerSecond { get; init; } = 10;

    /// <summary>Whether the camera offers Media2 privacy masks, and whether it really draws them (<see cref="FakeMaskSupport"/>).</summary>
    public FakeMaskSupport PrivacyMasks { get; init; } = FakeMaskSupport.None;

    /// <summary>How many masks and points per mask the camera's GetMaskOptions announces.</summary>
    public int MaxMasks { get; init; } = 8;

    public int MaxMaskPoints { get; init; } = 16;
    /// <summary>Frames from one scheduled keyframe to the next (0: one a second); no scene-cut keyframes when set.</summary>
    public int KeyframeInterval { get; init; }

    /// <summary>Honour Media/Media2 SetSynchronizationPoint by forcing a keyframe (false: fault ActionNotSupported).</summary>
    public bool SynchronizationPoint { get; init; } = true;

    /// <summary>When set, the camera replays a real vendor's captured answers instead of simulating a device.</summary>
    public VendorReplay? Replay { get; init; }
}

/// <summary>How a fake camera treats Media2 privacy masks.</summary>
public enum FakeMaskSupport
{
    /// <summary>No mask capability: GetMaskOptions and friends are not implemented.</summary>
    None = 0,

    /// <summary>Masks are stored and drawn into the RTSP picture (solid fill in the mask's colour).</summary>
    Applied = 1,

    /// <summary>The camera claims and stores masks but its picture shows everything: what the hub's verification must catch.</summary>
    ClaimedOnly = 2,
}
