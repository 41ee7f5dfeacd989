using System.Diagnostics.Metrics;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Sharing;

namespace CameraHub.StreamBroker.Sessions;

/// <summary>
/// The bytes every stream session delivers, by kind (meter <see cref="LiveMetrics.MeterName"/>). A counter the
/// sessions add to as they send: an observable sum over open sessions would fall whenever one ends.
/// </summary>
internal static class SessionMetrics
{
    private static readonly Meter Meter = new(LiveMetrics.MeterName);

    private static readonly Counter<long> BytesOut = Meter.CreateCounter<long>("camerahub.sessions.bytes_out",
        description: "Media and playlist bytes sent to viewers and partner systems, by session kind");

    /// <summary>The session's kind as a label: live, partner_rtsp, partner_hls (bounded: four values).</summary>
    public static string KindOf(StreamSession session) => session switch
    {
        LiveSession => "live",
        PartnerSession { Protocol: SharingProtocols.Hls } => "partner_hls",
        PartnerSession => "partner_rtsp",
        _ => "other",
    };

    public static void Sent(StreamSession session, long bytes) => BytesOut.Add(bytes, new KeyValuePair<string, object?>("kind", KindOf(session)));

    /// <summary>Starts every kind's series at zero, so rate() has a first sample before the first session.</summary>
    public static void Initialise()
    {
        foreach (var kind in (string[])["live", "partner_rtsp", "partner_hls"])
        {
            BytesOut.Add(0, new KeyValuePair<string, object?>("kind", kind));
        }
    }
}
