using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>
/// Talks ONVIF (SOAP 1.2 over HTTP) to one device. Learns the device clock first so WS-Security tokens are dated in
/// the device's time, falls back to HTTP Digest when the device challenges for it, and turns every failure into an
/// <see cref="OnvifException"/> that carries the device's own words.
/// </summary>
public sealed class OnvifClient
{
    private readonly HttpClient _http;
    private readonly OnvifCredentials? _credentials;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public OnvifClient(HttpClient http, Uri deviceUri, OnvifCredentials? credentials, TimeProvider time, TimeSpan? timeout = null)
    {
        _http = http;
        DeviceUri = deviceUri;
        _credentials = credentials;
        _time = time;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>How large, deep and wide an answer may be before it is refused with an <see cref="OnvifLimitException"/>.</summary>
    public SoapLimits Limits { get; init; } = SoapLimits.Default;

    /// <summary>The device service address, e.g. http://10.0.0.5/onvif/device_service.</summary>
    public Uri DeviceUri { get; }

    /// <summary>Device clock minus our clock, once <see cref="GetSystemDateAndTimeAsync"/> has run; used to date tokens.</summary>
    public TimeSpan? ClockSkew { get; private set; }

    /// <summary>Reads the device clock (unauthenticated, as ONVIF requires; retried with credentials for devices that insist).</summary>
    public async Task<OnvifDeviceClock> GetSystemDateAndTimeAsync(CancellationToken ct)
    {
        const string operation = "GetSystemDateAndTime";
        var body = new XElement(OnvifNamespaces.Device + operation);
        var sentAt = _time.GetUtcNow();
        XElement response;
        try
        {
            response = await CallAsync(DeviceUri, OnvifNamespaces.Device, body, operation, authenticate: false, ct);
        }
        catch (OnvifNotAuthorizedException) when (_credentials is not null)
        {
            // EZVIZ/DVC refuse even this call without credentials; our own clock is the best guess for the token then.
            sentAt = _time.GetUtcNow();
            response = await CallAsync(DeviceUri, OnvifNamespaces.Device, body, operation, authenticate: true, ct);
        }

        var receivedAt = _time.GetUtcNow();
        var clock = OnvifResponses.SystemDateAndTime(response);
        if (clock.DeviceUtc is { } deviceUtc)
        {
            // The device stamped its answer somewhere between our send and receive; the midpoint is the fairest guess.
            var ours = sentAt + ((receivedAt - sentAt) / 2);
            ClockSkew = TimeSpan.FromSeconds(Math.Round((deviceUtc - ours).TotalSeconds));
        }

        return clock;
    }

    public async Task<OnvifDeviceInformation> GetDeviceInformationAsync(CancellationToken ct) =>
        OnvifResponses.DeviceInformation(await CallAsync(DeviceUri, OnvifNamespaces.Device,
            new XElement(OnvifNamespaces.Device + "GetDeviceInformation"), "GetDeviceInformation", authenticate: true, ct));

    /// <summary>GetServices; ONVIF 1.x devices without it are asked GetCapabilities instead.</summary>
    public async Task<OnvifServiceAddresses> GetServiceAddressesAsync(CancellationToken ct)
    {
        OnvifServiceAddresses addresses;
        try
        {
            var response = await CallAsync(DeviceUri, OnvifNamespaces.Device,
                new XElement(OnvifNamespaces.Device + "GetServices", new XElement(OnvifNamespaces.Device + "IncludeCapability", "false")),
                "GetServices", authenticate: true, ct);
            addresses = OnvifResponses.Services(response, DeviceUri);
        }
        catch (OnvifFaultException)
        {
            var response = await CallAsync(DeviceUri, OnvifNamespaces.Device,
                new XElement(OnvifNamespaces.Device + "GetCapabilities", new XElement(OnvifNamespaces.Device + "Category", "All")),
                "GetCapabilities", authenticate: true, ct);
            addresses = OnvifResponses.Capabilities(response, DeviceUri);
        }

        return new OnvifServiceAddresses(
            Rebase(addresses.Device)!, Rebase(addresses.Media), Rebase(addresses.Media2), Rebase(addresses.Ptz), Rebase(addresses.Recording),
            Rebase(addresses.Replay), Rebase(addresses.Search), Rebase(addresses.Events), Rebase(addresses.Imaging));
    }

    /// <summary>Media profiles from the Media2 service (all configurations) or the Media service.</summary>
    public async Task<IReadOnlyList<OnvifProfile>> GetProfilesAsync(Uri mediaService, bool media2, CancellationToken ct)
    {
        var ns = media2 ? OnvifNamespaces.Media2 : OnvifNamespaces.Media;
        var body = media2 ? new XElement(ns + "GetProfiles", new XElement(ns + "Type", "All")) : new XElement(ns + "GetProfiles");
        return OnvifResponses.Profiles(await CallAsync(mediaService, ns, body, "GetProfiles", authenticate: true, ct));
    }

    /// <summary>The RTSP URI (RTP unicast over RTSP) of a profile.</summary>
    public async Task<string> GetStreamUriAsync(Uri mediaService, bool media2, string profileToken, CancellationToken ct)
    {
        XElement body;
        if (media2)
        {
            var ns = OnvifNamespaces.Media2;
            body = new XElement(ns + "GetStreamUri", new XElement(ns + "Protocol", "RTSP"), new XElement(ns + "ProfileToken", profileToken));
        }
        else
        {
            var ns = OnvifNamespaces.Media;
            var tt = OnvifNamespaces.Schema;
            body = new XElement(ns + "GetStreamUri",
                new XElement(ns + "StreamSetup",
                    new XElement(tt + "Stream", "RTP-Unicast"),
                    new XElement(tt + "Transport", new XElement(tt + "Protocol", "RTSP"))),
                new XElement(ns + "ProfileToken", profileToken));
        }

        var response = await CallAsync(mediaService, media2 ? OnvifNamespaces.Media2 : OnvifNamespaces.Media, body, "GetStreamUri", authenticate: true, ct);
        return OnvifResponses.MediaUri("GetStreamUri", response);
    }

    public async Task<string> GetSnapshotUriAsync(Uri mediaService, bool media2, string profileToken, CancellationToken ct)
    {
        var ns = media2 ? OnvifNamespaces.Media2 : OnvifNamespaces.Media;
        var response = await CallAsync(mediaService, ns,
            new XElement(ns + "GetSnapshotUri", new XElement(ns + "ProfileToken", profileToken)), "GetSnapshotUri", authenticate: true, ct);
        return OnvifResponses.MediaUri("GetSnapshotUri", response);
    }

    /// <summary>
    /// Media2 or Media SetSynchronizationPoint: asks the encoder of <paramref name="profileToken"/> for a keyframe (and
    /// parameter sets) now. The answer is empty; a device without it faults with ActionNotSupported.
    /// </summary>
    public async Task SetSynchronizationPointAsync(Uri mediaService, bool media2, string profileToken, CancellationToken ct)
    {
        var ns = media2 ? OnvifNamespaces.Media2 : OnvifNamespaces.Media;
        await CallAsync(mediaService, ns,
            new XElement(ns + "SetSynchronizationPoint", new XElement(ns + "ProfileToken", profileToken)), "SetSynchronizationPoint", authenticate: true, ct);
    }

    /// <summary>Profile G: the recordings on the device's storage.</summary>
    public async Task<IReadOnlyList<OnvifRecording>> GetRecordingsAsync(Uri recordingService, CancellationToken ct) =>
        OnvifResponses.Recordings(await CallAsync(recordingService, OnvifNamespaces.Recording,
            new XElement(OnvifNamespaces.Recording + "GetRecordings"), "GetRecordings", authenticate: true, ct));

    /// <summary>Profile G: the RTSP URI that replays a recording.</summary>
    public async Task<string> GetReplayUriAsync(Uri replayService, string recordingToken, CancellationToken ct)
    {
        var ns = OnvifNamespaces.Replay;
        var tt = OnvifNamespaces.Schema;
        var body = new XElement(ns + "GetReplayUri",
            new XElement(ns + "StreamSetup",
                new XElement(tt + "Stream", "RTP-Unicast"),
                new XElement(tt + "Transport", new XElement(tt + "Protocol", "RTSP"))),
            new XElement(ns + "RecordingToken", recordingToken));
        return OnvifResponses.MediaUri("GetReplayUri", await CallAsync(replayService, ns, body, "GetReplayUri", authenticate: true, ct));
    }

    /// <summary>
    /// The whole probe a registry needs: clock and skew, identity, services, profiles with stream and snapshot URIs,
    /// and Profile G recordings where present. Optional steps a device refuses become <see cref="OnvifProbeResult.Warnings"/>;
    /// failures of the identity steps (credentials, unreachable device) are thrown.
    /// </summary>
    public async Task<OnvifProbeResult> ProbeAsync(CancellationToken ct)
    {
        var warnings = new List<string>();
        OnvifDeviceClock clock;
        try
        {
            clock = await GetSystemDateAndTimeAsync(ct);
        }
        catch (OnvifFaultException e)
        {
            // Without the device clock tokens are dated by ours; devices with a sane clock still accept them.
            warnings.Add($"{e.Message}; clock skew unknown");
            clock = new OnvifDeviceClock(null, null, null);
        }


        var information = await GetDeviceInformationAsync(ct);

        OnvifServiceAddresses services;
        try
        {
            services = await GetServiceAddressesAsync(ct);
        }
        catch (OnvifFaultException e)
        {
            // Some cameras answer neither GetServices nor GetCapabilities but serve media on the device address.
            warnings.Add($"{e.Message}; assuming the media service at the device address");
            services = new OnvifServiceAddresses(DeviceUri, DeviceUri, null, null, null, null, null, null, null);
        }

        var profiles = await ProfilesWithUrisAsync(services, warnings, ct);
        var recordings = await RecordingsAsync(services, warnings, ct);
        return new OnvifProbeResult(DeviceUri, information, clock, ClockSkew, services, profiles, recordings, warnings);
    }

    private async Task<IReadOnlyList<OnvifProfile>> ProfilesWithUrisAsync(OnvifServiceAddresses services, List<string> warnings, CancellationToken ct)
    {
        var candidates = new List<(Uri Service, bool Media2)>();
        if (services.Media2 is { } m2)
        {
            candidates.Add((m2, true));
        }

        if (services.Media is { } m1)
        {
            candidates.Add((m1, false));
        }

        foreach (var (service, media2) in candidates)
        {
            IReadOnlyList<OnvifProfile> profiles;
            try
            {
                profiles = await GetProfilesAsync(service, media2, ct);
            }
            catch (OnvifFaultException e)
            {
                warnings.Add($"{(media2 ? "Media2" : "Media")} {e.Message}");
                continue;
            }

            var withUris = new List<OnvifProfile>(profiles.Count);
            foreach (var profile in profiles)
            {
                withUris.Add(profile with
                {
                    StreamUri = await OptionalAsync(() => GetStreamUriAsync(service, media2, profile.Token, ct), warnings),
                    SnapshotUri = await OptionalAsync(() => GetSnapshotUriAsync(service, media2, profile.Token, ct), warnings),
                });
            }

            return withUris;
        }

        if (candidates.Count == 0)
        {
            warnings.Add("the device lists no media service");
        }

        return [];
    }

    private async Task<IReadOnlyList<OnvifRecording>> RecordingsAsync(OnvifServiceAddresses services, List<string> warnings, CancellationToken ct)
    {
        if (services.Recording is not { } recordingService)
        {
            return [];
        }

        IReadOnlyList<OnvifRecording> recordings;
        try
        {
            recordings = await GetRecordingsAsync(recordingService, ct);
        }
        catch (OnvifFaultException e)
        {
            warnings.Add(e.Message);
            return [];
        }

        if (services.Replay is not { } replayService)
        {
            return recordings;
        }

        var withUris = new List<OnvifRecording>(recordings.Count);
        foreach (var recording in recordings)
        {
            withUris.Add(recording with { ReplayUri = await OptionalAsync(() => GetReplayUriAsync(replayService, recording.Token, ct), warnings) });
        }

        return withUris;
    }

    private static async Task<string?> OptionalAsync(Func<Task<string>> call, List<string> warnings)
    {
        try
        {
            return await call();
        }
        catch (OnvifFaultException e)
        {
            warnings.Add(e.Message);
            return null;
        }
        catch (OnvifProtocolException e)
        {
            warnings.Add(e.Message);
            return null;
        }
    }

    /// <summary>
    /// Devices behind NAT or port forwarding report service addresses on their own LAN address; we keep the path
    /// but reach the service where we reached the device.
    /// </summary>
    internal Uri? Rebase(Uri? reported)
    {
        if (reported is null || (reported.Host == DeviceUri.Host && reported.Port == DeviceUri.Port && reported.Scheme == DeviceUri.Scheme))
        {
            return reported;
        }

        return new UriBuilder(reported) { Scheme = DeviceUri.Scheme, Host = DeviceUri.Host, Port = DeviceUri.Port }.Uri;
    }

    private Task<XElement> CallAsync(Uri address, XNamespace serviceNamespace, XElement body, string operation, bool authenticate, CancellationToken ct) =>
        CallAsync(address, $"{serviceNamespace.NamespaceName}/{operation}", body, operation, authenticate, [], null, ct);

    /// <summary>
    /// One SOAP call. <paramref name="headers"/> go next to the security header (WS-Addressing for subscriptions);
    /// <paramref name="timeout"/> replaces the client's for calls the device may hold open (PullMessages long polls).
    /// </summary>
    internal async Task<XElement> CallAsync(
        Uri address, string action, XElement body, string operation, bool authenticate, IReadOnlyList<XElement> headers, TimeSpan? timeout, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        try
        {
            var answer = await CallUncountedAsync(address, action, body, operation, authenticate, headers, timeout, ct);
            OnvifMetrics.Call(operation, "ok", _time.GetElapsedTime(started));
            return answer;
        }
        catch (OnvifException e)
        {
            OnvifMetrics.Call(operation, OnvifMetrics.Outcome(e), _time.GetElapsedTime(started));
            throw;
        }
    }

    private async Task<XElement> CallUncountedAsync(
        Uri address, string action, XElement body, string operation, bool authenticate, IReadOnlyList<XElement> headers, TimeSpan? timeout, CancellationToken ct)
    {
        var limit = timeout ?? _timeout;
        using var timer = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            using var first = await SendAsync(address, body, action, authenticate, headers, null, linked.Token);
            if (first.StatusCode == System.Net.HttpStatusCode.Unauthorized && _credentials is not null
                && HttpDigest.Challenge(first.Headers) is { } challenge)
            {
                using var second = await SendAsync(address, body, action, authenticate, headers, HttpDigest.Authorization(challenge, _credentials, "POST", address.PathAndQuery), linked.Token);
                return await ReadAsync(second, operation, linked.Token);
            }

            return await ReadAsync(first, operation, linked.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new OnvifTimeoutException(operation, limit, e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse)
        {
            throw new OnvifProtocolException(operation,
                $"{address.GetLeftPart(UriPartial.Authority)} answered, but the answer broke off or was not valid HTTP: {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new OnvifConnectionException(operation, $"could not reach {address.GetLeftPart(UriPartial.Authority)}: {e.Message}", e);
        }
        catch (HttpIOException e) when (e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse)
        {
            // The body is read after the headers now (to count its bytes), so a cut-off body surfaces here.
            throw new OnvifProtocolException(operation,
                $"{address.GetLeftPart(UriPartial.Authority)} answered, but the answer broke off or was not valid HTTP: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new OnvifConnectionException(operation, $"the connection to {address.GetLeftPart(UriPartial.Authority)} broke mid-answer: {e.Message}", e);
        }

        async Task<XElement> ReadAsync(HttpResponseMessage response, string op, CancellationToken token)
        {
            // Parsing runs under the same token as the exchange: a slow answer and a slow parse share one time limit.
            var text = await LimitedBody.ReadAsync(response, op, Limits.MaxBytes, token);
            return SoapEnvelope.ReadResponse(op, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), text, op + "Response", Limits, token);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(
        Uri address, XElement body, string action, bool authenticate, IReadOnlyList<XElement> headers, AuthenticationHeaderValue? authorization, CancellationToken ct)
    {
        var header = authenticate && _credentials is not null
            ? WsSecurity.UsernameToken(_credentials, _time.GetUtcNow() + (ClockSkew ?? TimeSpan.Zero))
            : null;
        var content = new StringContent(SoapEnvelope.Build(new XElement(body), header, headers), Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"application/soap+xml; charset=utf-8; action=\"{action}\"");
        var request = new HttpRequestMessage(HttpMethod.Post, address) { Content = content };
        request.Headers.Authorization = authorization;
        using (request)
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
    }
}
