using System.Diagnostics.Metrics;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.StreamBroker.Events;
using CameraHub.StreamBroker.Sharing;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.StreamBroker.Live;

/// <summary>
/// The live broker's instruments (meter <see cref="MeterName"/>), read from the open paths and sessions when a scrape
/// asks. Camera ids are labels only on open camera upstreams: their number is bounded by the viewers, the warm
/// categories and the recorded cameras, never by the registry (docs/operations/metrics.md).
/// </summary>
public sealed class LiveMetrics : IDisposable
{
    /// <summary>The meter's name, for the host's OpenTelemetry set-up.</summary>
    public const string MeterName = "CameraHub.Live";

    private static readonly CameraLiveState[] States = [CameraLiveState.Connecting, CameraLiveState.Online, CameraLiveState.Offline];
    private readonly Meter _meter;

    public LiveMetrics(IMeterFactory meters, PathManager paths, LiveSessions live, IServiceProvider services)
    {
        _meter = meters.Create(MeterName);
        var partners = services.GetService<PartnerSessions>();
        _meter.CreateObservableGauge("camerahub.live.upstream.state", () => paths.Paths.SelectMany(p => States.Select(s =>
                new Measurement<int>(p.Status.State == s ? 1 : 0, Camera(p), new("state", s.ToString().ToLowerInvariant())))),
            description: "1 for the state each open camera upstream is in (connecting, online, offline), else 0");
        _meter.CreateObservableCounter("camerahub.live.upstream.restarts", () => paths.Paths.Select(p => new Measurement<long>(Math.Max(0, p.UpstreamStarts - 1), Camera(p))),
            description: "ffmpeg restarts of each open upstream since its path opened (camera dropped, stalled or retargeted)");
        _meter.CreateObservableCounter("camerahub.live.upstream.bytes_in", () => paths.Paths.Select(p => new Measurement<long>(p.BytesIn, Camera(p))),
            description: "Media bytes received from each open camera upstream since its path opened");
        _meter.CreateObservableGauge("camerahub.live.upstream.bitrate_kbps", () => paths.Paths.Select(p => new Measurement<double>(p.BitrateKbps, Camera(p))),
            description: "Average bitrate received from each open camera upstream, kbit/s");
        _meter.CreateObservableCounter("camerahub.live.upstream.keyframe_requests", () => paths.Paths.Select(p => new Measurement<long>(p.KeyframesRequested, Camera(p))),
            description: "Keyframe requests (ONVIF SetSynchronizationPoint) each open camera upstream's camera accepted since its path opened");
        _meter.CreateObservableGauge("camerahub.live.viewers", () => paths.Paths.Select(p => new Measurement<int>(p.ViewerCount, Camera(p))),
            description: "Viewers reading each open camera upstream now");
        _meter.CreateObservableCounter("camerahub.live.dropped_fragments", () => paths.Paths.Select(p => new Measurement<long>(p.DroppedFragments, Camera(p))),
            description: "Fragments skipped for slow viewers of each open upstream since its path opened, departed viewers included");
        _meter.CreateObservableGauge("camerahub.live.upstreams", () => States.Select(s =>
                new Measurement<int>(paths.Paths.Count(p => p.Status.State == s), new KeyValuePair<string, object?>("state", s.ToString().ToLowerInvariant()))),
            description: "Open camera upstreams on this node by state");
        _meter.CreateObservableGauge<int>("camerahub.sessions.open", () =>
            {
                var open = partners?.Open ?? [];
                return (IEnumerable<Measurement<int>>)
                [
                    new Measurement<int>(live.Open.Count, Kind("live")),
                    new Measurement<int>(open.Count(s => s.Protocol == SharingProtocols.Rtsp), Kind("partner_rtsp")),
                    new Measurement<int>(open.Count(s => s.Protocol == SharingProtocols.Hls), Kind("partner_hls")),
                ];
            },
            description: "Open stream sessions on this node by kind");
    }

    /// <summary>Starts the byte counters of every session kind at zero (see <see cref="Recording.RecordingMetrics.StartAtZero"/>).</summary>
    public static void StartAtZero() => Sessions.SessionMetrics.Initialise();

    private static KeyValuePair<string, object?> Camera(CameraPath path) => new("camera", path.Camera.Id);

    private static KeyValuePair<string, object?> Kind(string kind) => new("kind", kind);

    public void Dispose() => _meter.Dispose();
}
