using System.Globalization;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Onvif.Probing;

/// <summary>How a probe of a registry camera ended.</summary>
public abstract record CameraProbeOutcome
{
    /// <summary>The camera is not in the registry.</summary>
    public sealed record NotFound : CameraProbeOutcome;

    /// <summary>The camera has no ONVIF address (plain RTSP cameras are registered by URL only).</summary>
    public sealed record NoOnvif : CameraProbeOutcome;

    /// <summary>The camera answered badly or not at all.</summary>
    public sealed record Failed(OnvifException Error) : CameraProbeOutcome;

    /// <summary>The registry camera now carries what the probe found.</summary>
    public sealed record Probed(Camera Camera, OnvifProbeResult Result) : CameraProbeOutcome;
}

/// <summary>Probes a registry camera over ONVIF, stores what it learned, and audits the probe.</summary>
public sealed class CameraProber(
    ICameraDirectory directory,
    CameraCatalogue catalogue,
    IAuditLog audit,
    OnvifClientFactory clients,
    ILogger<CameraProber> logger)
{
    public async Task<CameraProbeOutcome> ProbeAsync(string cameraId, string actor, string? remoteAddress, CancellationToken ct)
    {
        var source = await directory.FindAsync(cameraId, ct);
        if (source is null)
        {
            return new CameraProbeOutcome.NotFound();
        }

        if (source.OnvifUrl is null || !Uri.TryCreate(source.OnvifUrl, UriKind.Absolute, out var deviceUri))
        {
            return new CameraProbeOutcome.NoOnvif();
        }

        var credentials = source.Username is null ? null : new OnvifCredentials(source.Username, source.Password ?? string.Empty);
        OnvifProbeResult result;
        try
        {
            result = await clients.Create(deviceUri, credentials).ProbeAsync(ct);
        }
        catch (OnvifException e)
        {
            logger.LogWarning("ONVIF probe of {Camera} at {Uri} failed: {Message}", cameraId, deviceUri, e.Message);
            await AuditAsync(cameraId, actor, remoteAddress, $"probe failed: {e.Message}", ct);
            return new CameraProbeOutcome.Failed(e);
        }

        var main = result.MainProfile;
        var probe = new CameraProbe(
            result.Information.Manufacturer, result.Information.Model, result.Information.FirmwareVersion,
            main?.StreamUri, main?.SnapshotUri ?? result.Profiles.FirstOrDefault(p => p.SnapshotUri is not null)?.SnapshotUri,
            result.ClockSkew?.TotalSeconds,
            [.. result.Profiles.Select(p => new CameraStreamProfile
            {
                Token = p.Token, Name = p.Name, Encoding = p.Encoding, Width = p.Width, Height = p.Height,
                StreamUrl = p.StreamUri, SnapshotUrl = p.SnapshotUri,
            })]);
        var written = await catalogue.ApplyProbeAsync(cameraId, probe, actor, ct);
        if (written.NotFound)
        {
            return new CameraProbeOutcome.NotFound();
        }

        var skew = result.ClockSkew is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s.TotalSeconds:+0;-0;0} s") : "unknown";
        await AuditAsync(cameraId, actor, remoteAddress,
            $"probed {result.Information.Manufacturer} {result.Information.Model} firmware {result.Information.FirmwareVersion}; " +
            $"{result.Profiles.Count} profile(s); clock skew {skew}", ct);
        return new CameraProbeOutcome.Probed(written.Camera!, result);
    }

    private Task<long> AuditAsync(string cameraId, string actor, string? remoteAddress, string details, CancellationToken ct) =>
        audit.AppendAsync(new AuditEvent(AuditAction.CameraProbed, AuditOutcome.Allowed, actor, cameraId,
            RemoteAddress: remoteAddress, Details: details, SubjectType: "Camera", SubjectId: cameraId), ct);
}

/// <summary>Settings under CameraHub:Onvif.</summary>
public sealed class OnvifOptions
{
    /// <summary>How long one SOAP call may take before the device counts as not answering.</summary>
    public double RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>The local interface address WS-Discovery multicasts from when none is named in the request.</summary>
    public string? DiscoveryInterface { get; set; }

    /// <summary>How long discovery listens for answers.</summary>
    public double DiscoveryWaitSeconds { get; set; } = 3;
}

/// <summary>Creates <see cref="OnvifClient"/>s on the shared "onvif" HttpClient.</summary>
public sealed class OnvifClientFactory(IHttpClientFactory http, TimeProvider time, IOptions<OnvifOptions> options)
{
    public const string HttpClientName = "onvif";

    public OnvifClient Create(Uri deviceUri, OnvifCredentials? credentials) =>
        new(http.CreateClient(HttpClientName), deviceUri, credentials, time, TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds));

    /// <summary>A client whose calls have their own, shorter limit (a keyframe asked for late is worth nothing).</summary>
    public OnvifClient Create(Uri deviceUri, OnvifCredentials? credentials, TimeSpan timeout) =>
        new(http.CreateClient(HttpClientName), deviceUri, credentials, time, timeout);
}
