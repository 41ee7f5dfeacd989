using System.Collections.Concurrent;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Onvif.Probing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Onvif.Keyframes;

/// <summary>
/// Asks a camera for a keyframe over ONVIF when its upstream opens (Media2 <c>tr2:SetSynchronizationPoint</c>, else
/// Media <c>trt:SetSynchronizationPoint</c>, on the profile that streams the camera's RTSP URL). The request is
/// repeated every <see cref="BrokerOptions.KeyframeRequestInterval"/> until the first keyframe arrives: a request
/// that lands before the camera's RTSP session plays makes a keyframe nobody receives. A camera that refuses is left
/// alone for <see cref="RefusalPause"/>; one that cannot be reached is not waited for. See docs/design/keyframes.md.
/// </summary>
internal sealed class OnvifKeyframeRequests(
    OnvifClientFactory clients, IOptions<BrokerOptions> options, TimeProvider time, ILogger<OnvifKeyframeRequests> logger) : IKeyframeRequests
{
    /// <summary>How long a camera that refused (or has no media service) is not asked again.</summary>
    public static readonly TimeSpan RefusalPause = TimeSpan.FromMinutes(30);

    /// <summary>One SOAP call's limit here: a keyframe that comes later than this is no longer worth asking for.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Target> _targets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _refused = new(StringComparer.Ordinal);

    public async Task<int> RequestAsync(CameraSource camera, Task firstKeyframe, CancellationToken ct)
    {
        if (camera.OnvifUrl is not { } onvif || !Uri.TryCreate(onvif, UriKind.Absolute, out var deviceUri)
            || (_refused.TryGetValue(camera.Id, out var until) && time.GetUtcNow() < until))
        {
            return 0;
        }

        var o = options.Value;
        using var window = CancellationTokenSource.CreateLinkedTokenSource(ct);
        window.CancelAfter(o.KeyframeRequestWindow);
        var accepted = 0;
        try
        {
            var target = await TargetAsync(camera, deviceUri, window.Token);
            while (!firstKeyframe.IsCompleted)
            {
                await target.Client.SetSynchronizationPointAsync(target.MediaService, target.Media2, target.ProfileToken, window.Token);
                accepted++;
                await Task.WhenAny(firstKeyframe, Task.Delay(o.KeyframeRequestInterval, time, window.Token));
            }
        }
        catch (OperationCanceledException)
        {
            // The window passed or the upstream ended: the camera's own keyframe will do.
        }
        catch (OnvifException e) when (e is OnvifFaultException or OnvifProtocolException or OnvifNotAuthorizedException)
        {
            // A refusal is the camera's answer for a while: one log line, no request on every reconnect.
            _refused[camera.Id] = time.GetUtcNow() + RefusalPause;
            _targets.TryRemove(camera.Id, out _);
            logger.LogInformation("Camera {Camera} does not take keyframe requests ({Error}); not asking again for {Minutes} min",
                camera.Id, e.Message, RefusalPause.TotalMinutes);
        }
        catch (OnvifException e)
        {
            // Unreachable or slow: the upstream goes on without; the next open tries again (addresses may have moved).
            _targets.TryRemove(camera.Id, out _);
            logger.LogDebug("Keyframe request to camera {Camera} failed: {Error}", camera.Id, e.Message);
        }
        catch (NoMediaProfileException e)
        {
            _refused[camera.Id] = time.GetUtcNow() + RefusalPause;
            logger.LogInformation("Camera {Camera}: no keyframe requests ({Reason})", camera.Id, e.Message);
        }

        return accepted;
    }

    /// <summary>
    /// Where and for which profile to ask, learned once per camera (clock, services, profiles) and kept while its
    /// ONVIF address and credentials stay the same, so a cold open costs one SOAP call.
    /// </summary>
    private async Task<Target> TargetAsync(CameraSource camera, Uri deviceUri, CancellationToken ct)
    {
        if (_targets.TryGetValue(camera.Id, out var known) && known.Matches(camera))
        {
            return known;
        }

        var credentials = camera.Username is null ? null : new OnvifCredentials(camera.Username, camera.Password ?? "");
        var client = clients.Create(deviceUri, credentials, CallTimeout);
        await client.GetSystemDateAndTimeAsync(ct);
        var services = await client.GetServiceAddressesAsync(ct);
        var (service, media2) = services.Media2 is { } m2 ? (m2, true)
            : services.Media is { } m1 ? (m1, false)
            : throw new NoMediaProfileException("the device lists no media service");
        var profiles = await client.GetProfilesAsync(service, media2, ct);
        var token = await ProfileTokenAsync(client, service, media2, profiles, camera.RtspUrl, ct)
            ?? throw new NoMediaProfileException("the device lists no media profile");
        var target = new Target(client, service, media2, token, camera.OnvifUrl, camera.Username, camera.Password);
        _targets[camera.Id] = target;
        return target;
    }

    /// <summary>The profile streaming the registry's RTSP URL (path and port compared); the first one when none matches.</summary>
    private static async Task<string?> ProfileTokenAsync(
        OnvifClient client, Uri service, bool media2, IReadOnlyList<OnvifProfile> profiles, string? rtspUrl, CancellationToken ct)
    {
        if (profiles.Count <= 1 || rtspUrl is null || !Uri.TryCreate(rtspUrl, UriKind.Absolute, out var wanted))
        {
            return profiles.Count == 0 ? null : profiles[0].Token;
        }

        foreach (var profile in profiles)
        {
            var uri = await client.GetStreamUriAsync(service, media2, profile.Token, ct);
            if (Uri.TryCreate(uri, UriKind.Absolute, out var streamed) && streamed.Port == wanted.Port
                && string.Equals(streamed.PathAndQuery, wanted.PathAndQuery, StringComparison.Ordinal))
            {
                return profile.Token;
            }
        }

        return profiles[0].Token;
    }

    private sealed record Target(OnvifClient Client, Uri MediaService, bool Media2, string ProfileToken, string? OnvifUrl, string? Username, string? Password)
    {
        public bool Matches(CameraSource camera) => OnvifUrl == camera.OnvifUrl && Username == camera.Username && Password == camera.Password;
    }

    private sealed class NoMediaProfileException(string message) : Exception(message);
}
