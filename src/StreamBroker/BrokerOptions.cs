using CameraHub.CameraRegistry.Cameras;

namespace CameraHub.StreamBroker;

/// <summary>Settings of the live broker, bound from <c>CameraHub:Broker</c>.</summary>
public sealed class BrokerOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string Section = "CameraHub:Broker";

    /// <summary>ffmpeg executable (a name on PATH or a full path).</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>How long an upstream stays open after its last viewer left, so a page reload does not reconnect the camera.</summary>
    public TimeSpan IdleGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages (fragments) a viewer may have queued before it starts skipping to the next keyframe.</summary>
    public int ViewerQueueLength { get; set; } = 128;

    /// <summary>A viewer that keeps skipping for this long is disconnected.</summary>
    public TimeSpan SlowViewerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First delay before reconnecting a camera that dropped; doubles per failed attempt.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>No media for this long counts as a stalled camera: ffmpeg is killed and the camera reconnected.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One fragment per frame (lowest latency) instead of one fragment per keyframe interval.</summary>
    public bool FragmentEveryFrame { get; set; } = true;

    /// <summary>How long the session token may be used to open the stream.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An HLS session without a request for this long has ended.</summary>
    public TimeSpan HlsIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Completed keyframe intervals kept for HLS playlists.</summary>
    public int HlsSegmentCount { get; set; } = 6;

    /// <summary>
    /// Camera categories whose upstream is kept connected with nobody watching (within their allowed hours), so the
    /// first viewer joins a running stream instead of waiting for RTSP setup and a keyframe; e.g. Traffic for the
    /// control room's wall. Empty (the default): upstreams open for their first reader only.
    /// </summary>
    public List<CameraCategory> WarmCategories { get; set; } = [];

    /// <summary>How often the warm upstreams look at the registry (besides waking at allowed-hours edges).</summary>
    public TimeSpan WarmInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Ask the camera for a keyframe over ONVIF (Media2 or Media SetSynchronizationPoint) when its upstream opens, so a
    /// cold first viewer gets a picture without waiting for the camera's next GOP. Needs the camera's ONVIF address.
    /// </summary>
    public bool RequestKeyframes { get; set; } = true;

    /// <summary>
    /// How often the keyframe request is repeated until the first keyframe arrives: a request that reached the camera
    /// before its RTSP session was playing made a keyframe nobody received.
    /// </summary>
    public TimeSpan KeyframeRequestInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long after the upstream started keyframes are asked for; past it the camera's own GOP is awaited.</summary>
    public TimeSpan KeyframeRequestWindow { get; set; } = TimeSpan.FromSeconds(3);
}
