using System.CommandLine;
using System.Net;
using CameraHub.Composition;
using CameraHub.StreamBroker.Onvif.Discovery;

namespace CameraHub.Cli;

/// <summary>The `discover` verb: ONVIF devices answering a WS-Discovery probe that the registry does not know yet.</summary>
public static class DiscoverCommand
{
    public static Command Create()
    {
        var target = new Option<string?>("--target") { Description = "ask one device directly (unicast), e.g. 192.168.1.20:3702" };
        var iface = new Option<string?>("--interface") { Description = "multicast from this local address (default: CameraHub:Onvif:DiscoveryInterface)" };
        var command = new Command("discover", "List ONVIF devices on the local network that are not in the registry yet.") { target, iface };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(target), parse.GetValue(iface), [.. parse.UnmatchedTokens], ct));
        return command;
    }

    private static async Task<int> RunAsync(string? target, string? iface, string[] args, CancellationToken ct)
    {
        IPEndPoint? endpoint = null;
        if (target is not null && !IPEndPoint.TryParse(target, out endpoint))
        {
            await Console.Error.WriteLineAsync($"--target {target}: expected ADDRESS:PORT");
            return 2;
        }

        IPAddress? address = null;
        if (iface is not null && !IPAddress.TryParse(iface, out address))
        {
            await Console.Error.WriteLineAsync($"--interface {iface}: expected a local IP address");
            return 2;
        }

        var app = HubApplication.Build(args);
        await HubApplication.PrepareAsync(app, ct);
        await using var scope = app.Services.CreateAsyncScope();
        IReadOnlyList<DiscoveredDevice> devices;
        try
        {
            devices = await scope.ServiceProvider.GetRequiredService<OnvifDiscovery>().FindUnregisteredAsync(endpoint, address, ct);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        foreach (var device in devices)
        {
            Console.WriteLine($"{device.Name ?? "(no name)"}\t{device.Hardware ?? "-"}\t{string.Join(' ', device.XAddrs)}\t{device.EndpointReference}");
        }

        Console.WriteLine($"{devices.Count} ONVIF device(s) not in the registry.");
        return 0;
    }
}
