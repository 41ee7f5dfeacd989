using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>
/// Partner RTSP on any node (issue #17): a DESCRIBE for a camera another node holds is answered with
/// <c>302 Moved Temporarily</c> to the same URL on the owner. The owner's RTSP address is its public URL's host with
/// this node's RTSP port: every node of a cluster listens for partners on the same <c>CameraHub:RtspPort</c>, so the
/// membership row needs no second address (docs/design/sharing.md "Several nodes").
/// </summary>
internal static class RtspRedirects
{
    /// <summary>
    /// (false, null) when this node holds the camera (or there is no cluster); (true, Location) when another node does;
    /// (true, null) when no node holds it now, or its owner advertises no public URL.
    /// </summary>
    public static async Task<(bool Elsewhere, string? Location)> OwnerAsync(RtspContext context, string requestUri, string cameraId, CancellationToken ct)
    {
        if (context.Owners is not { } owners)
        {
            return (false, null);
        }

        var owner = await owners.OwnerOfAsync(cameraId, ct);
        if (owner is { IsLocal: true })
        {
            return (false, null);
        }

        if (owner is null || !Uri.TryCreate(owner.PublicUrl, UriKind.Absolute, out var publicUrl))
        {
            return (true, null);
        }

        var location = Location(requestUri, publicUrl.Host, context.RtspPort);
        context.Logger.LogInformation("RTSP DESCRIBE of {Camera} redirected to node {Node}: {Location}", cameraId, owner.Node, location);
        return (true, location);
    }

    /// <summary>The request's URL on another host and port, path and query unchanged.</summary>
    internal static string Location(string requestUri, string host, int port)
    {
        var path = Uri.TryCreate(requestUri, UriKind.Absolute, out var parsed) ? parsed.PathAndQuery : "/" + requestUri.TrimStart('/');
        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return $"rtsp://{authority}:{port}{path}";
    }
}
