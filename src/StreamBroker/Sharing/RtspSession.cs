using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>One RTSP request as read from the connection.</summary>
internal sealed record RtspRequest(string Method, string Uri, Dictionary<string, string> Headers)
{
    public string? this[string name] => Headers.GetValueOrDefault(name);
}

/// <summary>
/// One partner's RTSP connection: OPTIONS, DESCRIBE (digest auth + sharing policy, then attach to the camera path and
/// answer the SDP from its init segment), SETUP (TCP interleaved only), PLAY (RTP over the connection), GET_PARAMETER
/// (keep-alive), TEARDOWN. The connection is the session: closing it, TEARDOWN, a revocation or a too-slow client ends it.
/// </summary>
internal sealed class RtspSession(TcpClient client, RtspContext context) : IAsyncDisposable
{
    private const string Methods = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER";
    private readonly NetworkStream _stream = client.GetStream();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _nonce = DigestAuthenticator.NewNonce();
    private readonly string _sessionId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    private readonly string? _remote = (client.Client.RemoteEndPoint as IPEndPoint)?.Address.ToString();
    private PartnerLogin? _login;
    private CameraSource? _camera;
    private PathLease? _lease;
    private AvcConfig? _config;
    private H264Packetizer? _packetizer;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private int _rtpChannel = -1;
    private PartnerSession? _session;
    private Task _pump = Task.CompletedTask;
    private string _endReason = "partner closed the connection";
    private int _stopping;
    private long? _lastReport;
    private readonly MemoryStream _frame = new();
    private static readonly TimeSpan SenderReportInterval = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken stopping)
    {
        await using var owned = this;
        await using var onStopping = stopping.Register(() => Stop("the hub is shutting down"));
        var cts = _stop;
        var reader = PipeReader.Create(_stream);
        try
        {
            while (!cts.IsCancellationRequested)
            {
                var result = await reader.ReadAsync(cts.Token);
                var buffer = result.Buffer;
                while (TryRead(ref buffer, out var request))
                {
                    if (request is not null && !await HandleAsync(request, cts))
                    {
                        Stop(_endReason);
                        break;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidDataException)
        {
            if (e is InvalidDataException)
            {
                Stop($"protocol error: {e.Message}");
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>Reads one request, or skips one interleaved frame the client sent (RTCP receiver reports: request = null).</summary>
    private static bool TryRead(ref ReadOnlySequence<byte> buffer, out RtspRequest? request)
    {
        request = null;
        if (buffer.IsEmpty)
        {
            return false;
        }

        if (buffer.FirstSpan[0] == (byte)'$')
        {
            if (buffer.Length < 4)
            {
                return false;
            }

            Span<byte> header = stackalloc byte[4];
            buffer.Slice(0, 4).CopyTo(header);
            var total = 4 + BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
            if (buffer.Length < total)
            {
                return false;
            }

            buffer = buffer.Slice(total);
            return true;
        }

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, "\r\n\r\n"u8))
        {
            if (buffer.Length > 16 * 1024)
            {
                throw new InvalidDataException("request header too long");
            }

            return false;
        }

        var lines = Encoding.UTF8.GetString(head).Split("\r\n");
        var first = lines[0].Split(' ');
        if (first.Length < 3 || !first[2].StartsWith("RTSP/", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"not an RTSP request line: '{lines[0]}'");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var length = headers.TryGetValue("Content-Length", out var cl) && int.TryParse(cl, CultureInfo.InvariantCulture, out var n) ? n : 0;
        if (reader.Remaining < length)
        {
            return false;
        }

        reader.Advance(length);
        buffer = buffer.Slice(reader.Position);
        request = new RtspRequest(first[0], first[1], headers);
        return true;
    }

    /// <summary>Answers one request; false ends the connection.</summary>
    private async Task<bool> HandleAsync(RtspRequest request, CancellationTokenSource connection)
    {
        switch (request.Method)
        {
            case "OPTIONS":
                await RespondAsync(request, 200, "OK", [("Public", Methods)]);
                return true;
            case "DESCRIBE":
                return await DescribeAsync(request, connection);
            case "SETUP":
                return await SetupAsync(request);
            case "PLAY":
                return await PlayAsync(request, connection);
            case "GET_PARAMETER":
            case "SET_PARAMETER":
                await RespondAsync(request, 200, "OK", SessionHeader());
                return true;
            case "TEARDOWN":
                _endReason = "partner sent TEARDOWN";
                await RespondAsync(request, 200, "OK", SessionHeader());
                return false;
            default:
                await RespondAsync(request, 501, "Not Implemented", [("Public", Methods)]);
                return true;
        }
    }

    private async Task<bool> DescribeAsync(RtspRequest request, CancellationTokenSource connection)
    {
        if (!await AuthenticateAsync(request))
        {
            return true;
        }

        var cameraId = CameraIdOf(request.Uri);
        if (_lease is not null && _camera?.Id != cameraId)
        {
            await RespondAsync(request, 455, "Method Not Valid in This State", []);
            return true;
        }

        var decision = await context.Policy.DecideAsync(_login!, cameraId, SharingProtocols.Rtsp, connection.Token);
        var camera = decision.Allowed ? await context.Cameras.FindAsync(cameraId, connection.Token) : null;
        if (camera is not null && (camera.Mode == CameraMode.RecordedOnly || camera.RtspUrl is null))
        {
            decision = AccessDecision.Conflict($"camera '{cameraId}' has no live stream to share");
        }

        if (!decision.Allowed || camera is null)
        {
            await AuditDenialAsync(request, PartnerSessions.ActorOf(_login!.PartnerId), cameraId, decision.Reason);
            var (code, phrase) = decision.StatusCode == 404 ? (404, "Not Found") : (403, "Forbidden");
            await RespondAsync(request, code, $"{phrase}: {decision.Reason}", [], Encoding.UTF8.GetBytes(decision.Reason + "\n"), "text/plain");
            return true;
        }

        if (_lease is null && await RedirectAsync(request, cameraId, connection.Token))
        {
            return true;
        }

        _camera = camera;
        if (_lease is null)
        {
            var viewer = new Viewer($"rtsp-{_sessionId}", context.Broker.ViewerQueueLength, context.Time, context.Broker.SlowViewerTimeout);
            try
            {
                // The camera's own path, or its masked re-encode when its profile requires masking.
                _lease = await context.Feeds.AttachAsync(camera, viewer, connection.Token);
            }
            catch (InvalidOperationException e)
            {
                viewer.Dispose();
                var masking = e is MaskUnavailableException;
                if (masking)
                {
                    await AuditDenialAsync(request, PartnerSessions.ActorOf(_login!.PartnerId), cameraId, e.Message);
                }

                await RespondAsync(request, masking ? 403 : 503, $"{(masking ? "Forbidden" : "Service Unavailable")}: {e.Message}", masking ? [] : [("Retry-After", "5")],
                    Encoding.UTF8.GetBytes(e.Message + "\n"), "text/plain");
                return true;
            }

            // A slow partner the path gave up on: close the connection.
            _registrations.Add(viewer.Ended.Register(() => Stop(viewer.EndReason ?? "ended by the broker")));
        }

        if (_config is null && !await AwaitInitAsync(connection.Token))
        {
            await RespondAsync(request, 503, "Service Unavailable: the camera is not sending video", [("Retry-After", "5")]);
            return true;
        }

        var sdp = Encoding.UTF8.GetBytes(SdpBuilder.Build(camera.Id, LocalAddress(), _config!, long.Parse(_sessionId[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        await RespondAsync(request, 200, "OK", [("Content-Base", BaseUri(request.Uri))], sdp, "application/sdp");
        return true;
    }

    /// <summary>A camera another node holds (issue #17): 302 to it (<see cref="RtspRedirects"/>), or 503 while no node holds it.</summary>
    private async Task<bool> RedirectAsync(RtspRequest request, string cameraId, CancellationToken ct)
    {
        var (elsewhere, location) = await RtspRedirects.OwnerAsync(context, request.Uri, cameraId, ct);
        if (!elsewhere)
        {
            return false;
        }

        await (location is null
            ? RespondAsync(request, 503, $"Service Unavailable: no node holds camera '{cameraId}' at the moment; try again", [("Retry-After", "2")])
            : RespondAsync(request, 302, "Moved Temporarily", [("Location", location)]));
        return true;
    }

    /// <summary>Waits (up to 15 s) for the path's init segment; keeps what follows it for PLAY.</summary>
    private async Task<bool> AwaitInitAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            while (await _lease!.Viewer.Reader.WaitToReadAsync(timeout.Token))
            {
                while (_lease.Viewer.Reader.TryRead(out var message))
                {
                    if (_config is null && IsInit(message))
                    {
                        _config = await ConfigOfAsync(message.Media);
                        if (_config is not null)
                        {
                            return true;
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // no init in time
        }

        return false;
    }

    private async Task<bool> SetupAsync(RtspRequest request)
    {
        if (!await AuthenticateAsync(request))
        {
            return true;
        }

        if (_config is null)
        {
            await RespondAsync(request, 455, "Method Not Valid in This State: DESCRIBE first", []);
            return true;
        }

        var transport = request["Transport"] ?? string.Empty;
        if (!transport.Contains("RTP/AVP/TCP", StringComparison.OrdinalIgnoreCase))
        {
            // UDP is not offered: clients (ffmpeg, GStreamer) fall back to TCP interleaved on 461.
            await RespondAsync(request, 461, "Unsupported Transport: use RTP/AVP/TCP (interleaved)", []);
            return true;
        }

        _rtpChannel = 0;
        var interleaved = transport.Split(';').FirstOrDefault(p => p.StartsWith("interleaved=", StringComparison.OrdinalIgnoreCase));
        if (interleaved is not null && int.TryParse(interleaved["interleaved=".Length..].Split('-')[0], CultureInfo.InvariantCulture, out var channel) && channel is >= 0 and < 254)
        {
            _rtpChannel = channel;
        }

        _packetizer ??= new H264Packetizer();
        await RespondAsync(request, 200, "OK",
        [
            ("Transport", FormattableString.Invariant($"RTP/AVP/TCP;unicast;interleaved={_rtpChannel}-{_rtpChannel + 1};ssrc={_packetizer.Ssrc:X8}")),
            .. SessionHeader(),
        ]);
        return true;
    }

    private async Task<bool> PlayAsync(RtspRequest request, CancellationTokenSource connection)
    {
        if (!await AuthenticateAsync(request))
        {
            return true;
        }

        if (_rtpChannel < 0 || _packetizer is null || _camera is null || _lease is null)
        {
            await RespondAsync(request, 455, "Method Not Valid in This State: SETUP first", []);
            return true;
        }

        if (_session is not null)
        {
            await RespondAsync(request, 200, "OK", SessionHeader());
            return true;
        }

        // The agreement is checked on every connection step, not only at DESCRIBE.
        var decision = await context.Policy.DecideAsync(_login!, _camera.Id, SharingProtocols.Rtsp, connection.Token);
        if (!decision.Allowed)
        {
            await AuditDenialAsync(request, PartnerSessions.ActorOf(_login!.PartnerId), _camera.Id, decision.Reason);
            await RespondAsync(request, 403, $"Forbidden: {decision.Reason}", []);
            return false;
        }

        _session = await context.Sessions.StartAsync(_login!, _camera.Id, SharingProtocols.Rtsp, _remote, decision.Reason, MaskedFeeds.RequiresMasking(_camera), connection.Token);
        _registrations.Add(_session.Cut.Register(() => Stop("ended by the hub")));
        await RespondAsync(request, 200, "OK",
        [
            ("Range", "npt=0.000-"),
            ("RTP-Info", FormattableString.Invariant($"url={BaseUri(request.Uri)}{SdpBuilder.TrackControl};seq={_packetizer.NextSequence};rtptime={_packetizer.TimestampBase}")),
            .. SessionHeader(),
        ]);
        _pump = Task.Run(() => PumpAsync(connection.Token), CancellationToken.None);
        return true;
    }

    /// <summary>Fragments from the path's queue → access units → RTP packets, one socket write per access unit.</summary>
    private async Task PumpAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in _lease!.Viewer.Reader.ReadAllAsync(ct))
            {
                await SendAsync(message, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // connection closing
        }
        finally
        {
            client.Close();
        }
    }

    private async Task SendAsync(ViewerMessage message, CancellationToken ct)
    {
        if (message.Control is not null || message.Media.Length < 8)
        {
            return;
        }

        if (IsInit(message))
        {
            _config = await ConfigOfAsync(message.Media) ?? _config; // the camera reconnected: new SPS/PPS
            return;
        }

        // The queue carries the path's own fragment array: read it in place rather than copying it per session.
        var data = MemoryMarshal.TryGetArray(message.Media, out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
            ? whole.Array
            : message.Media.ToArray();
        var frame = _frame;
        frame.SetLength(0);
        foreach (var unit in FragmentSamples.Read(data, _config!))
        {
            foreach (var packet in _packetizer!.Packetize(unit, _config!))
            {
                frame.WriteByte((byte)'$');
                frame.WriteByte((byte)_rtpChannel);
                frame.WriteByte((byte)(packet.Length >> 8));
                frame.WriteByte((byte)packet.Length);
                frame.Write(packet);
            }
        }

        if (frame.Length == 0)
        {
            return;
        }

        // An RTCP sender report on the odd channel every few seconds maps RTP time to wall-clock time for the receiver.
        if (_lastReport is null || context.Time.GetElapsedTime(_lastReport.Value) >= SenderReportInterval)
        {
            _lastReport = context.Time.GetTimestamp();
            var report = _packetizer!.SenderReport(context.Time.GetUtcNow());
            frame.Write([(byte)'$', (byte)(_rtpChannel + 1), 0, (byte)report.Length]);
            frame.Write(report);
        }

        await WriteAsync(frame.GetBuffer().AsMemory(0, (int)frame.Length), ct);
        _session?.AddBytes(frame.Length);
    }

    private async Task<bool> AuthenticateAsync(RtspRequest request)
    {
        var credentials = DigestAuthenticator.Parse(request["Authorization"]);
        if (credentials is null)
        {
            await RespondAsync(request, 401, "Unauthorized", [("WWW-Authenticate", DigestAuthenticator.Challenge(_nonce))]);
            return false;
        }

        var login = _login is not null && _login.UserName == credentials.UserName ? _login : await context.Policy.FindLoginAsync(credentials.UserName, CancellationToken.None);
        if (login is not null && credentials.Nonce != _nonce && DigestAuthenticator.VerifyResponse(credentials, request.Method, login.DigestHa1))
        {
            // Right password, another connection's nonce (a client redirected here by another node keeps its digest state):
            // a stale nonce, not a wrong password. The client answers the new nonce without asking its user.
            await RespondAsync(request, 401, "Unauthorized", [("WWW-Authenticate", DigestAuthenticator.Challenge(_nonce, stale: true))]);
            return false;
        }

        if (login is null || !DigestAuthenticator.Verify(credentials, request.Method, _nonce, login.DigestHa1))
        {
            await AuditDenialAsync(request, login is null ? $"rtsp:{credentials.UserName}" : PartnerSessions.ActorOf(login.PartnerId), CameraIdOf(request.Uri),
                login is null ? "unknown RTSP user" : "wrong RTSP password");
            await RespondAsync(request, 401, "Unauthorized", [("WWW-Authenticate", DigestAuthenticator.Challenge(_nonce))]);
            return false;
        }

        _login = login;
        return true;
    }

    private async Task AuditDenialAsync(RtspRequest request, string actor, string cameraId, string reason) =>
        await context.Audit.AppendAsync(new AuditEvent(
            AuditAction.AccessDenied, AuditOutcome.Denied, actor, cameraId, "partner sharing", _remote,
            $"RTSP {request.Method} {cameraId}: {reason}", "partner", _login?.PartnerId), CancellationToken.None);

    private (string, string)[] SessionHeader() => [("Session", $"{_sessionId};timeout=60")];

    private async Task RespondAsync(RtspRequest request, int status, string phrase, IEnumerable<(string Name, string Value)> headers, byte[]? body = null, string? contentType = null)
    {
        var text = new StringBuilder();
        // The reason phrase carries the refusal so that ffmpeg and GStreamer print it ("method DESCRIBE failed: 403 Forbidden: …").
        text.Append(CultureInfo.InvariantCulture, $"RTSP/1.0 {status} {phrase.ReplaceLineEndings(" ")}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"CSeq: {request["CSeq"] ?? "0"}\r\n");
        text.Append("Server: CameraHub\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        if (body is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\nContent-Length: {body.Length}\r\n");
        }

        text.Append("\r\n");
        var head = Encoding.UTF8.GetBytes(text.ToString());
        await WriteAsync(body is null ? head : [.. head, .. body], CancellationToken.None);
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(data, ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Whether a queued message is an init segment (ftyp/moov) rather than a fragment or a control event.</summary>
    internal static bool IsInit(ViewerMessage message) =>
        message.Control is null && message.Media.Length >= 8
        && (message.Media.Span.Slice(4, 4).SequenceEqual("ftyp"u8) || message.Media.Span.Slice(4, 4).SequenceEqual("moov"u8));

    /// <summary>Ends the connection (first reason wins): the read loop and the pump stop, the socket closes.</summary>
    private void Stop(string reason)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            _endReason = reason;
        }

        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // already closed
        }
    }

    /// <summary>The H.264 configuration (SPS/PPS, picture size) of an init segment's bytes.</summary>
    internal static async Task<AvcConfig?> ConfigOfAsync(ReadOnlyMemory<byte> init)
    {
        await foreach (var media in new FragmentedMp4Parser(new MemoryStream(init.ToArray())).ReadAsync(CancellationToken.None))
        {
            if (media is InitSegment segment)
            {
                return AvcConfig.FromInit(segment);
            }
        }

        return null;
    }

    /// <summary>The camera id is the first path segment: rtsp://host:port/{cameraId}[/trackID=0].</summary>
    internal static string CameraIdOf(string uri)
    {
        var path = Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed.AbsolutePath : uri;
        return Uri.UnescapeDataString(path.Trim('/').Split('/')[0]);
    }

    private static string BaseUri(string uri)
    {
        var parsed = Uri.TryCreate(uri, UriKind.Absolute, out var u) ? u : null;
        if (parsed is null)
        {
            return uri.TrimEnd('/') + "/";
        }

        return $"{parsed.Scheme}://{parsed.Authority}/{Uri.EscapeDataString(CameraIdOf(uri))}/";
    }

    private string LocalAddress() => (client.Client.LocalEndPoint as IPEndPoint)?.Address.ToString() ?? "127.0.0.1";

    public async ValueTask DisposeAsync()
    {
        Stop(_endReason);
        foreach (var registration in _registrations)
        {
            await registration.DisposeAsync();
        }

        client.Close();
        await _pump;
        if (_session is not null)
        {
            await context.Sessions.EndAsync(_session, _endReason, revoked: false);
            _session.Dispose();
        }

        if (_lease is not null)
        {
            await _lease.DisposeAsync();
        }

        _writeLock.Dispose();
        _stop.Dispose();
        await _frame.DisposeAsync();
        client.Dispose();
    }
}
