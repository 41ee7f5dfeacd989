using System.Net;
using System.Xml.Linq;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Media2;
using Microsoft.Extensions.Time.Testing;
using static CameraHub.StreamBroker.Tests.Onvif.OnvifClientTests;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>
/// Media2 privacy masks on the wire. No capture of a real device's GetMaskOptions/GetMasks/CreateMask/DeleteMask
/// answers exists in the fixtures or anywhere we could find, so the answers here are hand-written to the letter of the
/// Media2 WSDL (ver20/media/wsdl/media.wsdl, github.com/onvif/specs) and the fault table of the Media2 specification,
/// with the unusual prefixes real devices choose; then the same client against the fake camera's mask service.
/// </summary>
public sealed class OnvifMaskClientTests
{
    private static readonly Uri Media2 = new("http://10.0.0.5/onvif/media2_service");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Reads_mask_options_limits_types_and_listed_colours()
    {
        var handler = new ScriptedHandler(_ => Soap(Envelope("""
            <ns2:GetMaskOptionsResponse><ns2:Options RectangleOnly="true" SingleColorOnly="true">
              <ns2:MaxMasks>4</ns2:MaxMasks><ns2:MaxPoints>4</ns2:MaxPoints>
              <ns2:Types>Color</ns2:Types><ns2:Types>Pixelated</ns2:Types>
              <ns2:Color><sch:ColorList X="16" Y="128" Z="128" Colorspace="http://www.onvif.org/ver10/colorspace/YCbCr"/><sch:ColorList X="235" Y="128" Z="128"/></ns2:Color>
            </ns2:Options></ns2:GetMaskOptionsResponse>
            """)));

        var options = await Masks(handler).GetMaskOptionsAsync("VSC_1", CancellationToken.None);

        Assert.Equal(4, options.MaxMasks);
        Assert.Equal(4, options.MaxPoints);
        Assert.Equal(["Color", "Pixelated"], options.Types);
        Assert.Equal([16.0, 235.0], options.Colors.Select(c => c.X));
        Assert.True(options.RectangleOnly);
        Assert.True(options.SingleColorOnly);
        var request = XDocument.Parse(handler.Requests[0]).Root!;
        Assert.Equal("VSC_1", request.Descendants(OnvifNamespaces.Media2 + "ConfigurationToken").Single().Value);
    }

    [Fact]
    public async Task Lists_masks_with_their_normalised_polygons_and_creates_one_in_schema_order()
    {
        var handler = new ScriptedHandler(
            _ => Soap(Envelope("""
                <ns2:GetMasksResponse>
                  <ns2:Masks token="Mask_7"><ns2:ConfigurationToken>VSC_1</ns2:ConfigurationToken>
                    <ns2:Polygon><sch:Point x="-1" y="1"/><sch:Point x="0" y="1"/><sch:Point x="0" y="-1"/><sch:Point x="-1" y="-1"/></ns2:Polygon>
                    <ns2:Type>Color</ns2:Type><ns2:Color X="128" Y="128" Z="128"/><ns2:Enabled>true</ns2:Enabled></ns2:Masks>
                </ns2:GetMasksResponse>
                """)),
            _ => Soap(Envelope("<ns2:CreateMaskResponse><ns2:Token>Mask_8</ns2:Token></ns2:CreateMaskResponse>")),
            _ => Soap(Envelope("<ns2:DeleteMaskResponse/>")));
        var client = Masks(handler);

        var masks = await client.GetMasksAsync("VSC_1", CancellationToken.None);
        var token = await client.CreateMaskAsync(new OnvifMask(null, "VSC_1",
            [OnvifVector.FromPixel(0, 0, 320, 180), OnvifVector.FromPixel(160, 0, 320, 180), OnvifVector.FromPixel(160, 180, 320, 180)],
            OnvifMaskTypes.Color, OnvifColor.Grey, true), CancellationToken.None);
        await client.DeleteMaskAsync("Mask_7", CancellationToken.None);

        var mask = Assert.Single(masks);
        Assert.Equal("Mask_7", mask.Token);
        Assert.Equal(new OnvifVector(-1, 1), mask.Polygon[0]); // top left: x −1, y +1 (y points up)
        Assert.True(mask.Enabled);
        Assert.Equal("Mask_8", token);
        var created = XDocument.Parse(handler.Requests[1]).Root!.Descendants(OnvifNamespaces.Media2 + "Mask").Single();
        Assert.Equal(["ConfigurationToken", "Polygon", "Type", "Color", "Enabled"], created.Elements().Select(e => e.Name.LocalName));
        Assert.Null(created.Attribute("token")); // the device assigns the token
        Assert.Equal(["-1,1", "0,1", "0,-1"], created.Descendants(OnvifNamespaces.Schema + "Point").Select(p => $"{p.Attribute("x")!.Value},{p.Attribute("y")!.Value}"));
    }

    [Theory]
    [InlineData("env:Receiver", "ter:Action", "ter:MaxMasks", typeof(OnvifMaxMasksException))]
    [InlineData("env:Receiver", "ter:InvalidArgVal", "ter:InvalidPolygon", typeof(OnvifInvalidPolygonException))]
    [InlineData("env:Sender", "ter:InvalidArgVal", "ter:NoConfig", typeof(OnvifNoConfigException))]
    public async Task The_faults_the_specification_names_come_back_typed(string code, string subcode, string detail, Type expected)
    {
        var handler = new ScriptedHandler(_ => Soap(Envelope($"""
            <env:Fault><env:Code><env:Value>{code}</env:Value><env:Subcode><env:Value>{subcode}</env:Value>
              <env:Subcode><env:Value>{detail}</env:Value></env:Subcode></env:Subcode></env:Code>
              <env:Reason><env:Text xml:lang="en">refused</env:Text></env:Reason></env:Fault>
            """), HttpStatusCode.InternalServerError));

        var error = await Assert.ThrowsAnyAsync<OnvifFaultException>(() => Masks(handler).CreateMaskAsync(
            new OnvifMask(null, "VSC_1", [new(-1, 1), new(0, 1), new(0, 0)], OnvifMaskTypes.Color, null, true), CancellationToken.None));

        Assert.IsType(expected, error);
        Assert.StartsWith("CreateMask: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mask_without_its_polygon_is_a_protocol_error_naming_what_is_missing()
    {
        var handler = new ScriptedHandler(_ => Soap(Envelope("""
            <ns2:GetMasksResponse><ns2:Masks token="M1"><ns2:ConfigurationToken>VSC_1</ns2:ConfigurationToken><ns2:Type>Color</ns2:Type><ns2:Enabled>true</ns2:Enabled></ns2:Masks></ns2:GetMasksResponse>
            """)));

        var error = await Assert.ThrowsAsync<OnvifProtocolException>(() => Masks(handler).GetMasksAsync(null, CancellationToken.None));

        Assert.Contains("Polygon", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Against_the_fake_camera_masks_are_created_listed_limited_and_deleted()
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = "M2-CLIENT", StartRtsp = false, EventService = false, PrivacyMasks = FakeMaskSupport.ClaimedOnly, MaxMasks = 2,
        });
        var client = new OnvifClient(new HttpClient(), camera.DeviceServiceUri, new OnvifCredentials("admin", "fake-camera"), TimeProvider.System);
        await client.GetSystemDateAndTimeAsync(CancellationToken.None);
        var services = await client.GetServiceAddressesAsync(CancellationToken.None);
        var masks = new OnvifMaskClient(client, services.Media2!);

        Assert.True(await masks.SupportsMasksAsync(CancellationToken.None));
        var configuration = Assert.Single(await masks.VideoSourceConfigurationTokensAsync(CancellationToken.None));
        var options = await masks.GetMaskOptionsAsync(configuration, CancellationToken.None);
        Assert.Equal(2, options.MaxMasks);
        Assert.Contains(OnvifMaskTypes.Color, options.Types);
        var square = new OnvifMask(null, configuration, [new(-1, 1), new(0, 1), new(0, 0), new(-1, 0)], OnvifMaskTypes.Color, OnvifColor.Grey, true);
        var first = await masks.CreateMaskAsync(square, CancellationToken.None);
        await masks.CreateMaskAsync(square, CancellationToken.None);
        await Assert.ThrowsAsync<OnvifMaxMasksException>(() => masks.CreateMaskAsync(square, CancellationToken.None));
        await Assert.ThrowsAsync<OnvifNoConfigException>(() => masks.GetMaskOptionsAsync("nope", CancellationToken.None));

        Assert.Equal(2, (await masks.GetMasksAsync(configuration, CancellationToken.None)).Count);
        await masks.DeleteMaskAsync(first, CancellationToken.None);
        var left = Assert.Single(await masks.GetMasksAsync(null, CancellationToken.None));
        Assert.Equal(square.Polygon, left.Polygon);
        await Assert.ThrowsAsync<OnvifNoConfigException>(() => masks.DeleteMaskAsync(first, CancellationToken.None));
    }

    private OnvifMaskClient Masks(ScriptedHandler handler) =>
        new(new OnvifClient(new HttpClient(handler), new Uri("http://10.0.0.5/onvif/device_service"), new OnvifCredentials("admin", "secret"), _time), Media2);

    /// <summary>A SOAP 1.2 envelope with the prefixes a gSOAP device might pick (ns2 for Media2, sch for the schema).</summary>
    private static string Envelope(string body) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ns2="http://www.onvif.org/ver20/media/wsdl"
            xmlns:sch="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body>{body}</env:Body></env:Envelope>
        """;
}
