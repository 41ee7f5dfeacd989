using System.Net;
using System.Text;
using System.Xml.Linq;
using CameraHub.StreamBroker.Onvif;
using Microsoft.Extensions.Time.Testing;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>How the client behaves on the wire when devices misbehave: fast tests against a scripted HTTP handler.</summary>
public sealed class OnvifClientTests
{
    private static readonly Uri Device = new("http://10.0.0.5/onvif/device_service");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Dates_the_security_token_in_the_cameras_time_after_reading_its_clock()
    {
        var handler = new ScriptedHandler(
            _ => Soap(SystemDateAndTime(_time.GetUtcNow().AddSeconds(90))),
            _ => Soap(Fixture.Text("ONVIF-Camera-Kotlin/axis_M2025-LE_GetDeviceInformation.xml")));
        var client = Client(handler);

        await client.GetSystemDateAndTimeAsync(CancellationToken.None);
        var info = await client.GetDeviceInformationAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(90), client.ClockSkew);
        Assert.Equal("AXIS", info.Manufacturer);
        Assert.Null(WsSecurity.ReadToken(XDocument.Parse(handler.Requests[0]).Root!));
        var token = WsSecurity.ReadToken(XDocument.Parse(handler.Requests[1]).Root!)!;
        Assert.Equal("2026-11-23T12:01:30.000Z", token.Created);
        Assert.Equal(token.Password, WsSecurity.Digest(token.Nonce, token.Created!, "secret"));
    }

    [Fact]
    public async Task Retries_the_clock_with_credentials_when_the_camera_refuses_it_anonymously()
    {
        var html = Fixture.Text("2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_GetSystemDateAndTime_401_body_NOT_XML.html");
        var handler = new ScriptedHandler(
            _ => new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent(html, Encoding.UTF8, "text/html") },
            _ => Soap(Fixture.Text("2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_GetSystemDateAndTime.xml")));

        var clock = await Client(handler).GetSystemDateAndTimeAsync(CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2026, 10, 7, 17, 46, 20, TimeSpan.Zero), clock.DeviceUtc);
        Assert.NotNull(WsSecurity.ReadToken(XDocument.Parse(handler.Requests[1]).Root!));
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\"?><env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body><tds:GetDeviceInformationResponse xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><tds:Manufacturer>AX", "not well-formed XML")]
    [InlineData("<html><body>Server busy</body></html>", "HTML page, not SOAP: \"Server busy\"")]
    [InlineData("{\"error\":\"json\"}", "not well-formed XML")]
    [InlineData("<Envelope/>", "expected a SOAP Envelope")]
    public async Task Truncated_or_foreign_answers_become_protocol_errors_never_xml_exceptions(string body, string message)
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) });

        var error = await Assert.ThrowsAsync<OnvifProtocolException>(() => Client(handler).GetDeviceInformationAsync(CancellationToken.None));

        Assert.Contains(message, error.Message);
        Assert.StartsWith("GetDeviceInformation: ", error.Message);
    }

    [Fact]
    public async Task An_http_error_without_a_body_names_the_status()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway));

        var error = await Assert.ThrowsAsync<OnvifProtocolException>(() => Client(handler).GetDeviceInformationAsync(CancellationToken.None));

        Assert.Equal("GetDeviceInformation: HTTP 502 with an empty body", error.Message);
    }

    [Fact]
    public async Task A_camera_that_never_answers_times_out_with_the_operation_named()
    {
        var handler = new ScriptedHandler(_ => throw new InvalidOperationException("not reached"), hang: true);
        var client = new OnvifClient(new HttpClient(handler), Device, new OnvifCredentials("admin", "secret"), _time, TimeSpan.FromSeconds(5));

        var call = client.GetDeviceInformationAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(6));

        var error = await Assert.ThrowsAsync<OnvifTimeoutException>(() => call);
        Assert.Equal("GetDeviceInformation: no answer within 5 s", error.Message);
    }

    [Fact]
    public async Task A_camera_that_is_not_listening_is_a_connection_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = new OnvifClient(new HttpClient(), new Uri($"http://127.0.0.1:{port}/onvif/device_service"), null, TimeProvider.System);

        var error = await Assert.ThrowsAsync<OnvifConnectionException>(() => client.GetSystemDateAndTimeAsync(CancellationToken.None));

        Assert.Contains($"could not reach http://127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task An_answer_cut_off_mid_body_is_a_protocol_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var device = Task.Run(async () =>
        {
            // A camera that promises 2,000 bytes, sends the start of a SOAP answer, and drops the connection.
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[8192];
            await socket.ReceiveAsync(buffer);
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: 2000\r\n\r\n<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body>"));
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        });
        var client = new OnvifClient(new HttpClient(), new Uri($"http://127.0.0.1:{port}/onvif/device_service"), null, TimeProvider.System);

        var error = await Assert.ThrowsAsync<OnvifProtocolException>(() => client.GetSystemDateAndTimeAsync(CancellationToken.None));
        await device;

        Assert.Contains("answer broke off", error.Message);
    }

    [Fact]
    public async Task Service_addresses_on_the_cameras_lan_address_are_reached_where_the_camera_was_reached()
    {
        var handler = new ScriptedHandler(_ => Soap(Fixture.Text("easy_onvif/hikvision-oem_ENP1A14_GetServices.xml")));
        var client = new OnvifClient(new HttpClient(handler), new Uri("http://127.0.0.1:8080/onvif/device_service"), null, _time);

        var services = await client.GetServiceAddressesAsync(CancellationToken.None);

        Assert.Equal("http://127.0.0.1:8080/onvif/Media2", services.Media2?.ToString());
        Assert.Equal("http://127.0.0.1:8080/onvif/Recording", services.Recording?.ToString());
    }

    [Fact]
    public async Task Falls_back_to_GetCapabilities_when_GetServices_is_not_supported()
    {
        var handler = new ScriptedHandler(
            _ => Soap(Fixture.Text("easy_onvif/ipnc_IPG-8150PSS_Fault_ActionNotSupported.xml"), HttpStatusCode.InternalServerError),
            _ => Soap(Fixture.Text("easy_onvif/uniview-oem_GX728MF-IR28_GetCapabilities.xml")));
        var client = new OnvifClient(new HttpClient(handler), new Uri("http://192.168.1.127/onvif/device_service"), null, _time);

        var services = await client.GetServiceAddressesAsync(CancellationToken.None);

        Assert.Equal("http://192.168.1.127/onvif/media", services.Media?.ToString());
        Assert.Contains("GetCapabilities", handler.Requests[1]);
    }

    private OnvifClient Client(ScriptedHandler handler) =>
        new(new HttpClient(handler), Device, new OnvifCredentials("admin", "secret"), _time);

    internal static HttpResponseMessage Soap(string text, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, "application/soap+xml") };

    internal static string SystemDateAndTime(DateTimeOffset utc) =>
        $"""
        <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
          <s:Body><tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>
            <tt:UTCDateTime><tt:Time><tt:Hour>{utc.Hour}</tt:Hour><tt:Minute>{utc.Minute}</tt:Minute><tt:Second>{utc.Second}</tt:Second></tt:Time>
            <tt:Date><tt:Year>{utc.Year}</tt:Year><tt:Month>{utc.Month}</tt:Month><tt:Day>{utc.Day}</tt:Day></tt:Date></tt:UTCDateTime>
          </tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse></s:Body>
        </s:Envelope>
        """;

    /// <summary>Answers requests in order with the given responses, and keeps the request bodies.</summary>
    internal sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        private readonly bool _hang;
        private int _next;

        public ScriptedHandler(Func<HttpRequestMessage, HttpResponseMessage> answer, bool hang)
            : this(answer) => _hang = hang;

        public List<string> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(await request.Content!.ReadAsStringAsync(cancellationToken));
            if (_hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return answers[Math.Min(_next++, answers.Length - 1)](request);
        }
    }
}
