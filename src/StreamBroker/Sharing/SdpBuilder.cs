using System.Globalization;
using System.Text;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>The session description a DESCRIBE answers with: one H.264 track, payload type 96, RFC 6184 parameters.</summary>
public static class SdpBuilder
{
    public const string TrackControl = "trackID=0";

    public static string Build(string cameraId, string serverAddress, AvcConfig config, long sessionId)
    {
        var sprop = string.Join(',', config.Sps.Concat(config.Pps).Select(Convert.ToBase64String));
        var sdp = new StringBuilder();
        sdp.Append(CultureInfo.InvariantCulture, $"v=0\r\n");
        sdp.Append(CultureInfo.InvariantCulture, $"o=- {sessionId} 1 IN IP4 {serverAddress}\r\n");
        sdp.Append(CultureInfo.InvariantCulture, $"s=CameraHub {cameraId}\r\n");
        sdp.Append("c=IN IP4 0.0.0.0\r\n");
        sdp.Append("t=0 0\r\n");
        sdp.Append("a=tool:CameraHub\r\n");
        sdp.Append("a=range:npt=0-\r\n");
        sdp.Append("a=control:*\r\n");
        sdp.Append(CultureInfo.InvariantCulture, $"m=video 0 RTP/AVP {H264Packetizer.PayloadType}\r\n");
        sdp.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{H264Packetizer.PayloadType} H264/{H264Packetizer.ClockRate}\r\n");
        sdp.Append(CultureInfo.InvariantCulture,
            $"a=fmtp:{H264Packetizer.PayloadType} packetization-mode=1;profile-level-id={config.ProfileLevelId};sprop-parameter-sets={sprop}\r\n");
        sdp.Append(CultureInfo.InvariantCulture, $"a=control:{TrackControl}\r\n");
        return sdp.ToString();
    }
}
