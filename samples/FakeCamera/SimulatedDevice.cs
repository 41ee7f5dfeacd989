using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using CameraHub.StreamBroker.Onvif;
using Microsoft.AspNetCore.Http;

namespace CameraHub.FakeCamera;

/// <summary>
/// A well-behaved ONVIF device (Profile S/T subset): device, Media and Media2 services, WS-Security UsernameToken
/// checked against the camera's password and clock, optional HTTP Digest. Answers as SOAP 1.2 with the usual prefixes.
/// SetSynchronizationPoint calls <paramref name="forceKeyframe"/> (the RTSP encoder's next frame becomes a keyframe).
/// </summary>
public sealed class SimulatedDevice(
    FakeCameraOptions options, TimeProvider time, Func<Uri?> rtspUri, Func<CancellationToken, Task>? forceKeyframe = null,
    Func<IReadOnlyList<StreamBroker.Onvif.Media2.OnvifMask>, CancellationToken, Task>? drawMasks = null)
{
    private int _synchronizationPoints;

    public const string DevicePath = "/onvif/device_service";
    public const string MediaPath = "/onvif/media_service";
    public const string Media2Path = "/onvif/media2_service";
    public const string RecordingPath = "/onvif/recording_service";
    public const string ReplayPath = "/onvif/replay_service";
    public const string SnapshotPath = "/snapshot.jpg";
    private const string ProfileToken = "Profile_1";
    private const string DigestRealm = "CameraHub fake camera";

    private static readonly XNamespace S = OnvifNamespaces.Soap12;
    private static readonly XNamespace Tds = OnvifNamespaces.Device;
    private static readonly XNamespace Trt = OnvifNamespaces.Media;
    private static readonly XNamespace Tr2 = OnvifNamespaces.Media2;
    private static readonly XNamespace Tt = OnvifNamespaces.Schema;
    private static readonly XNamespace Ter = OnvifNamespaces.Error;
    private static readonly XNamespace Trc = OnvifNamespaces.Recording;
    private static readonly XNamespace Trp = OnvifNamespaces.Replay;

    /// <summary>The camera's own clock.</summary>
    public DateTimeOffset DeviceNow => time.GetUtcNow() + options.ClockOffset;

    /// <summary>SetSynchronizationPoint requests answered (Media or Media2), for tests and the bench.</summary>
    public int SynchronizationPoints => Volatile.Read(ref _synchronizationPoints);

    /// <summary>The event service, when the camera offers one (<see cref="FakeCameraOptions.EventService"/>).</summary>
    public FakeEventService? Events { get; } = options.EventService ? new FakeEventService(time, () => time.GetUtcNow() + options.ClockOffset) : null;

    /// <summary>The Media2 privacy masks, when the camera offers them (<see cref="FakeCameraOptions.PrivacyMasks"/>).</summary>
    public FakeMedia2Masks? Masks { get; } = options.PrivacyMasks == FakeMaskSupport.None
        ? null
        : new FakeMedia2Masks(options, drawMasks ?? ((_, _) => Task.CompletedTask));

    public async Task HandleAsync(HttpContext http)
    {
        string text;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
        {
            text = await reader.ReadToEndAsync(http.RequestAborted);
        }

        XElement envelope;
        try
        {
            envelope = SoapEnvelope.ParseXml("request", text).Root!;
        }
        catch (OnvifProtocolException e)
        {
            await WriteAsync(http, 400, Fault("Sender", ["ter:WellFormed"], e.Message));
            return;
        }

        var request = envelope.Child("Body")?.Elements().FirstOrDefault();
        if (request is null)
        {
            await WriteAsync(http, 400, Fault("Sender", ["ter:WellFormed"], "empty SOAP Body"));
            return;
        }

        var operation = request.Name.LocalName;
        if (operation != "GetSystemDateAndTime" && Refusal(http, envelope) is { } refusal)
        {
            await WriteAsync(http, refusal.Status, refusal.Body);
            return;
        }

        var baseUri = $"{http.Request.Scheme}://{http.Request.Host}";
        if (Events is not null && await Events.AnswerAsync(request, http.Request.Path.Value ?? string.Empty, baseUri, http.RequestAborted) is { } answer)
        {
            await WriteAsync(http, answer.Status, answer.Body);
            return;
        }

        if (Masks is not null && await Masks.AnswerAsync(request, http.RequestAborted) is { } masked)
        {
            await WriteAsync(http, masked.Status, masked.Body);
            return;
        }

        var media2 = request.Name.Namespace == Tr2;
        if (operation == "SetSynchronizationPoint" && options.SynchronizationPoint && (media2 || request.Name.Namespace == Trt))
        {
            var (status, body) = await SynchronizationPointAsync(request, media2, http.RequestAborted);
            await WriteAsync(http, status, body);
            return;
        }

        var response = operation switch
        {
            "GetSystemDateAndTime" => SystemDateAndTime(),
            "GetDeviceInformation" => new XElement(Tds + "GetDeviceInformationResponse",
                new XElement(Tds + "Manufacturer", options.Manufacturer),
                new XElement(Tds + "Model", options.Model),
                new XElement(Tds + "FirmwareVersion", options.Firmware),
                new XElement(Tds + "SerialNumber", options.CameraId),
                new XElement(Tds + "HardwareId", "CHFAKE-1")),
            "GetServices" => Services(baseUri, request.ChildText("IncludeCapability")?.Trim() == "true"),
            "GetCapabilities" => Capabilities(baseUri),
            "GetScopes" => new XElement(Tds + "GetScopesResponse", Scopes().Select(s =>
                new XElement(Tds + "Scopes", new XElement(Tt + "ScopeDef", "Fixed"), new XElement(Tt + "ScopeItem", s)))),
            "GetProfiles" => media2 ? Media2Profiles() : MediaProfiles(),
            "GetVideoSources" when !media2 => new XElement(Trt + "GetVideoSourcesResponse",
                new XElement(Trt + "VideoSources", new XAttribute("token", "VideoSource_1"),
                    new XElement(Tt + "Framerate", options.FramesPerSecond), Resolution())),
            "GetStreamUri" => MediaUri(operation, media2, rtspUri()?.ToString() ?? $"rtsp://127.0.0.1:554/{options.CameraId}"),
            "GetSnapshotUri" => MediaUri(operation, media2, baseUri + SnapshotPath),
            "GetRecordings" when options.RecordsOnboard => Recordings(),
            "GetReplayUri" when options.RecordsOnboard => new XElement(Trp + "GetReplayUriResponse",
                new XElement(Trp + "Uri", rtspUri()?.ToString() ?? $"rtsp://127.0.0.1:554/{options.CameraId}/replay")),
            _ => null,
        };

        if (response is null)
        {
            await WriteAsync(http, 500, Fault("Receiver", ["ter:ActionNotSupported"], $"Optional Action {operation} Not Implemented"));
            return;
        }

        await WriteAsync(http, 200, response);
    }

    /// <summary>A keyframe now on the one profile; an unknown token is the fault the Media specs name (ter:NoProfile).</summary>
    private async Task<(int Status, XElement Body)> SynchronizationPointAsync(XElement request, bool media2, CancellationToken ct)
    {
        var ns = media2 ? Tr2 : Trt;
        var token = request.Element(ns + "ProfileToken")?.Value;
        if (token != ProfileToken)
        {
            return (400, Fault("Sender", ["ter:InvalidArgVal", "ter:NoProfile"], $"The requested profile token {token} does not exist"));
        }

        if (forceKeyframe is not null)
        {
            await forceKeyframe(ct);
        }

        Interlocked.Increment(ref _synchronizationPoints);
        return (200, new XElement(ns + "SetSynchronizationPointResponse"));
    }

    /// <summary>The discovery scopes (name, hardware, profiles) this camera announces.</summary>
    public IEnumerable<string> Scopes() =>
    [
        "onvif://www.onvif.org/type/video_encoder",
        "onvif://www.onvif.org/Profile/Streaming",
        "onvif://www.onvif.org/Profile/T",
        $"onvif://www.onvif.org/name/{Uri.EscapeDataString(options.Name)}",
        $"onvif://www.onvif.org/hardware/{Uri.EscapeDataString(options.Model)}",
        "onvif://www.onvif.org/location/city/Goteborg",
    ];

    private (int Status, XElement Body)? Refusal(HttpContext http, XElement envelope)
    {
        var expected = new OnvifCredentials(options.Username, options.Password);
        if (options.RequireHttpDigest)
        {
            var header = http.Request.Headers.Authorization.ToString();
            if (header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase)
                && HttpDigest.Verify(HttpDigest.Parameters(header[7..]), expected, http.Request.Method))
            {
                return null;
            }

            var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            http.Response.Headers.WWWAuthenticate = $"Digest realm=\"{DigestRealm}\", qop=\"auth\", nonce=\"{nonce}\", algorithm=MD5";
            return (401, Fault("Sender", ["ter:NotAuthorized"], "HTTP Digest authentication required"));
        }

        var token = WsSecurity.ReadToken(envelope);
        if (token is null)
        {
            return (401, Fault("Sender", ["ter:NotAuthorized"], "Sender not Authorized: no WS-Security UsernameToken"));
        }

        var passwordMatches = token.PasswordType == WsSecurity.PasswordDigestType
            ? token.Created is not null && token.Password == WsSecurity.Digest(token.Nonce, token.Created, expected.Password)
            : token.Password == expected.Password;
        if (token.Username != expected.Username || !passwordMatches)
        {
            return (401, Fault("Sender", ["ter:NotAuthorized"], "Sender not Authorized: wrong username or password"));
        }

        if (token.Created is not null
            && DateTimeOffset.TryParse(token.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
            && (created - DeviceNow).Duration() > options.TokenTolerance)
        {
            return (401, Fault("Sender", ["ter:NotAuthorized"],
                $"Sender not Authorized: token created {(created - DeviceNow).TotalSeconds:0} s away from the camera clock"));
        }

        return null;
    }

    private XElement SystemDateAndTime()
    {
        var utc = DeviceNow.UtcDateTime;
        var stockholm = TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm"));
        static XElement Stamp(XName name, DateTime t) => new(name,
            new XElement(Tt + "Time", new XElement(Tt + "Hour", t.Hour), new XElement(Tt + "Minute", t.Minute), new XElement(Tt + "Second", t.Second)),
            new XElement(Tt + "Date", new XElement(Tt + "Year", t.Year), new XElement(Tt + "Month", t.Month), new XElement(Tt + "Day", t.Day)));
        return new XElement(Tds + "GetSystemDateAndTimeResponse",
            new XElement(Tds + "SystemDateAndTime",
                new XElement(Tt + "DateTimeType", "NTP"),
                new XElement(Tt + "DaylightSavings", "true"),
                new XElement(Tt + "TimeZone", new XElement(Tt + "TZ", "CET-1CEST,M3.5.0,M10.5.0/3")),
                Stamp(Tt + "UTCDateTime", utc),
                Stamp(Tt + "LocalDateTime", stockholm)));
    }

    private XElement Services(string baseUri, bool includeCapability)
    {
        XElement Service(XNamespace ns, string address, int major, int minor) => new(Tds + "Service",
            new XElement(Tds + "Namespace", ns.NamespaceName),
            new XElement(Tds + "XAddr", address),
            // Media2's capabilities say whether it takes privacy masks (Capabilities2/@Mask).
            includeCapability && ns == Tr2
                ? new XElement(Tds + "Capabilities", new XElement(Tr2 + "Capabilities", new XAttribute("Mask", Masks is null ? "false" : "true")))
                : null,
            new XElement(Tds + "Version", new XElement(Tt + "Major", major), new XElement(Tt + "Minor", minor)));
        return new XElement(Tds + "GetServicesResponse",
            Service(Tds, baseUri + DevicePath, 2, 60),
            Service(Trt, baseUri + MediaPath, 2, 60),
            Service(Tr2, baseUri + Media2Path, 2, 60),
            options.RecordsOnboard ? Service(Trc, baseUri + RecordingPath, 2, 60) : null,
            options.RecordsOnboard ? Service(Trp, baseUri + ReplayPath, 2, 60) : null,
            options.EventService ? Service(OnvifNamespaces.Events, baseUri + FakeEventService.EventsPath, 2, 60) : null);
    }

    private XElement Recordings() => new(Trc + "GetRecordingsResponse",
        new XElement(Trc + "RecordingItem",
            new XElement(Tt + "RecordingToken", "Recording_1"),
            new XElement(Tt + "Configuration",
                new XElement(Tt + "Source",
                    new XElement(Tt + "SourceId", "VideoSource_1"), new XElement(Tt + "Name", options.Name),
                    new XElement(Tt + "Location", string.Empty), new XElement(Tt + "Description", "onboard storage"),
                    new XElement(Tt + "Address", string.Empty)),
                new XElement(Tt + "Content", "continuous"),
                new XElement(Tt + "MaximumRetentionTime", "P7D")),
            new XElement(Tt + "Tracks",
                new XElement(Tt + "Track", new XElement(Tt + "TrackToken", "Video_1"),
                    new XElement(Tt + "Configuration", new XElement(Tt + "TrackType", "Video"), new XElement(Tt + "Description", "H.264"))))));

    private static XElement Capabilities(string baseUri) => new(Tds + "GetCapabilitiesResponse",
        new XElement(Tds + "Capabilities",
            new XElement(Tt + "Device", new XElement(Tt + "XAddr", baseUri + DevicePath)),
            new XElement(Tt + "Media",
                new XElement(Tt + "XAddr", baseUri + MediaPath),
                new XElement(Tt + "StreamingCapabilities",
                    new XElement(Tt + "RTPMulticast", "false"), new XElement(Tt + "RTP_TCP", "true"), new XElement(Tt + "RTP_RTSP_TCP", "true")))));

    private XElement Bounds() =>
        new(Tt + "Bounds", new XAttribute("x", 0), new XAttribute("y", 0), new XAttribute("width", options.Width), new XAttribute("height", options.Height));

    private XElement Resolution() => new(Tt + "Resolution", new XElement(Tt + "Width", options.Width), new XElement(Tt + "Height", options.Height));

    private XElement MediaProfiles() => new(Trt + "GetProfilesResponse",
        new XElement(Trt + "Profiles", new XAttribute("token", ProfileToken), new XAttribute("fixed", "true"),
            new XElement(Tt + "Name", "mainStream"),
            new XElement(Tt + "VideoSourceConfiguration", new XAttribute("token", "VideoSourceConfig_1"),
                new XElement(Tt + "Name", "VideoSourceConfig_1"), new XElement(Tt + "UseCount", 1),
                new XElement(Tt + "SourceToken", "VideoSource_1"),
                Bounds()),
            new XElement(Tt + "VideoEncoderConfiguration", new XAttribute("token", "VideoEncoder_1"),
                new XElement(Tt + "Name", "VideoEncoder_1"), new XElement(Tt + "UseCount", 1),
                new XElement(Tt + "Encoding", "H264"),
                Resolution(),
                new XElement(Tt + "Quality", 5),
                new XElement(Tt + "RateControl",
                    new XElement(Tt + "FrameRateLimit", options.FramesPerSecond),
                    new XElement(Tt + "EncodingInterval", 1),
                    new XElement(Tt + "BitrateLimit", 1024)),
                new XElement(Tt + "H264", new XElement(Tt + "GovLength", options.FramesPerSecond), new XElement(Tt + "H264Profile", "Baseline")),
                new XElement(Tt + "SessionTimeout", "PT60S"))));

    private XElement Media2Profiles() => new(Tr2 + "GetProfilesResponse",
        new XElement(Tr2 + "Profiles", new XAttribute("token", ProfileToken), new XAttribute("fixed", "true"),
            new XElement(Tr2 + "Name", "mainStream"),
            new XElement(Tr2 + "Configurations",
                new XElement(Tr2 + "VideoSource", new XAttribute("token", "VideoSourceConfig_1"),
                    new XElement(Tt + "Name", "VideoSourceConfig_1"), new XElement(Tt + "UseCount", 1),
                    new XElement(Tt + "SourceToken", "VideoSource_1"),
                    Bounds()),
                new XElement(Tr2 + "VideoEncoder", new XAttribute("token", "VideoEncoder_1"), new XAttribute("GovLength", options.FramesPerSecond), new XAttribute("Profile", "Baseline"),
                    new XElement(Tt + "Name", "VideoEncoder_1"), new XElement(Tt + "UseCount", 1),
                    new XElement(Tt + "Encoding", "H264"),
                    Resolution(),
                    new XElement(Tt + "RateControl", new XAttribute("ConstantBitRate", "false"),
                        new XElement(Tt + "FrameRateLimit", options.FramesPerSecond), new XElement(Tt + "BitrateLimit", 1024)),
                    new XElement(Tt + "Quality", 5)))));

    /// <summary>GetStreamUri/GetSnapshotUri answers: Media2 puts the URI straight in, Media wraps it in a MediaUri.</summary>
    private static XElement MediaUri(string operation, bool media2, string uri) => media2
        ? new XElement(Tr2 + $"{operation}Response", new XElement(Tr2 + "Uri", uri))
        : new XElement(Trt + $"{operation}Response", new XElement(Trt + "MediaUri",
            new XElement(Tt + "Uri", uri),
            new XElement(Tt + "InvalidAfterConnect", "false"),
            new XElement(Tt + "InvalidAfterReboot", "false"),
            new XElement(Tt + "Timeout", "PT0S")));

    internal static XElement Fault(string code, IReadOnlyList<string> subcodes, string reason)
    {
        XElement? sub = null;
        foreach (var subcode in subcodes.Reverse())
        {
            sub = new XElement(S + "Subcode", new XElement(S + "Value", subcode), sub);
        }

        return new XElement(S + "Fault",
            new XElement(S + "Code", new XElement(S + "Value", $"env:{code}"), sub),
            new XElement(S + "Reason", new XElement(S + "Text", new XAttribute(XNamespace.Xml + "lang", "en"), reason)));
    }

    private static async Task WriteAsync(HttpContext http, int status, XElement payload)
    {
        // Prefixes as gSOAP/Hikvision devices use them, so clients that (wrongly) depend on prefixes meet the usual ones.
        var envelope = new XElement(S + "Envelope",
            new XAttribute(XNamespace.Xmlns + "env", S.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "tt", Tt.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "tds", Tds.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "trt", Trt.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "tr2", Tr2.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "ter", Ter.NamespaceName),
            new XElement(S + "Body", payload));
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/soap+xml; charset=utf-8";
        await http.Response.WriteAsync(new XDocument(new XDeclaration("1.0", "UTF-8", null), envelope).Declaration + envelope.ToString(SaveOptions.DisableFormatting), http.RequestAborted);
    }
}
