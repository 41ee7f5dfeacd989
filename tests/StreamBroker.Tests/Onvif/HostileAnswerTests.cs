using System.Diagnostics;
using System.Text;
using CameraHub.StreamBroker.Onvif;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>
/// A hostile camera (a real HTTP server on 127.0.0.1) sends answers built to stall the hub: deep nesting, too many
/// elements, too many bytes, an entity bomb. Each fails fast, with a typed error that names the limit.
/// </summary>
public sealed class HostileAnswerTests
{
    private const string Open = "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body><tds:GetDeviceInformationResponse xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">";
    private const string Close = "</tds:GetDeviceInformationResponse></env:Body></env:Envelope>";

    [Fact]
    public async Task An_answer_nested_150000_deep_is_refused_in_well_under_a_second_naming_the_depth_limit()
    {
        // The shape that took 27 s of one core with XDocument.Load: 1 MiB, under the byte cap.
        var depth = 150_000;
        var body = Open + string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth)) + Close;

        var (error, elapsed) = await CallAsync<OnvifLimitException>(body);

        Assert.Equal("depth", error.Limit);
        Assert.Contains("deeper than 64 levels", error.Message);
        Assert.StartsWith("GetDeviceInformation: ", error.Message);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
    }

    [Fact]
    public async Task An_answer_with_more_elements_than_the_limit_is_refused_naming_it()
    {
        var body = Open + string.Concat(Enumerable.Repeat("<a/>", 150_000)) + Close;

        var (error, elapsed) = await CallAsync<OnvifLimitException>(body);

        Assert.Equal("elements", error.Limit);
        Assert.Contains("more than 100000 elements", error.Message);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_answer_over_the_byte_cap_is_a_protocol_limit_error_not_an_unreachable_camera(bool announceLength)
    {
        var body = Open + new string(' ', 5 * 1024 * 1024) + Close;

        var (error, elapsed) = await CallAsync<OnvifLimitException>(body, announceLength);

        Assert.Equal("bytes", error.Limit);
        Assert.Contains("larger than the 4096 KiB limit", error.Message);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
    }

    [Fact]
    public async Task An_entity_bomb_behind_a_dtd_is_refused_before_any_entity_expands()
    {
        var lol = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (var i = 1; i < 10; i++)
        {
            lol.Append(System.Globalization.CultureInfo.InvariantCulture, $"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat(i == 1 ? "&lol;" : $"&lol{i - 1};", 10))}\">");
        }

        lol.Append("]>").Append(Open).Append("<tds:Manufacturer>&lol9;</tds:Manufacturer>").Append(Close);

        var (error, elapsed) = await CallAsync<OnvifProtocolException>(lol.ToString());

        Assert.Contains("carries a DTD", error.Message);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
    }

    [Fact]
    public async Task A_real_answer_still_reads_through_the_limited_reader()
    {
        await using var camera = await HostileCamera.StartAsync(Fixture.Text("ONVIF-Camera-Kotlin/axis_M2025-LE_GetDeviceInformation.xml"), false);
        var client = Client(camera);
        await client.GetDeviceInformationAsync(CancellationToken.None);

        var info = await client.GetDeviceInformationAsync(CancellationToken.None);

        Assert.Equal("AXIS", info.Manufacturer);
        Assert.Equal("B8A44F26437D", info.SerialNumber);
    }

    private static async Task<(T Error, TimeSpan Elapsed)> CallAsync<T>(string body, bool announceLength = true)
        where T : Exception
    {
        // The camera answers honestly once (so connection set-up and JIT are not timed), then turns hostile.
        await using var camera = await HostileCamera.StartAsync(body, announceLength);
        var client = Client(camera);
        await client.GetDeviceInformationAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<T>(() => client.GetDeviceInformationAsync(CancellationToken.None));
        return (error, watch.Elapsed);
    }

    private static OnvifClient Client(HostileCamera camera) =>
        new(new HttpClient(), new Uri(camera.Address, "/onvif/device_service"), null, TimeProvider.System);

    /// <summary>Kestrel on a free loopback port answering every POST with the same body.</summary>
    private sealed class HostileCamera(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public static async Task<HostileCamera> StartAsync(string body, bool announceLength)
        {
            var honest = Encoding.UTF8.GetBytes(Fixture.Text("ONVIF-Camera-Kotlin/axis_M2025-LE_GetDeviceInformation.xml"));
            var hostile = Encoding.UTF8.GetBytes(body);
            var calls = 0;
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/onvif/device_service", async (HttpContext http) =>
            {
                var bytes = Interlocked.Increment(ref calls) == 1 ? honest : hostile;
                http.Response.ContentType = "application/soap+xml; charset=utf-8";
                if (announceLength)
                {
                    http.Response.ContentLength = bytes.Length;
                }

                await http.Response.Body.WriteAsync(bytes);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new HostileCamera(app, new Uri(address));
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
