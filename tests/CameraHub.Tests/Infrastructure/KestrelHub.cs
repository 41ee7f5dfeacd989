using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Infrastructure;

/// <summary>A hub on real Kestrel (127.0.0.1, free port), for tests whose clients are real network peers (ffmpeg, WebSockets).</summary>
public static class KestrelHub
{
    /// <summary>Starts <paramref name="hub"/> on Kestrel; returns its base address (ending in '/').</summary>
    public static Uri StartOnKestrel(this HubFactory hub)
    {
        hub.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        hub.StartServer();
        var address = hub.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    /// <summary>A client signed in as <paramref name="user"/> talking to the Kestrel address.</summary>
    public static async Task<HttpClient> KestrelClientAsync(this HubFactory hub, Uri baseAddress, string user)
    {
        var signedIn = await hub.SignInAsAsync(user);
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(90) };
        client.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        return client;
    }
}
