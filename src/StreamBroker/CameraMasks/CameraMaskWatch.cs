using System.Collections.Concurrent;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Onvif.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>
/// Looks at every open camera path of a masked camera with an ONVIF address every <see cref="CameraMaskOptions.CheckSeconds"/>
/// and (re)verifies its own masks when due: first look, a reconnect, a changed mask, every
/// <see cref="CameraMaskOptions.ReverifyMinutes"/>. Provisions the mask first when the camera does not hold it yet. A
/// failure is caught here: trust is withdrawn (readers get the hub's masked feed), a warning camera event is written
/// and the hub alarm <see cref="HubAlarmKinds.CameraMaskNotApplied"/> raised; a later pass clears it.
/// </summary>
public sealed class CameraMaskWatch(
    PathManager paths, ICameraDirectory cameras, IFeedMasks masks, CameraMaskTrust trust,
    IServiceProvider services, IOptions<CameraMaskOptions> options, IOptions<BrokerOptions> broker, TimeProvider time, ILogger<CameraMaskWatch> logger)
    : BackgroundService
{
    /// <summary>Topic of the camera event a failed verification writes.</summary>
    public const string NotAppliedTopic = "CameraHub/PrivacyMask/NotApplied";

    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        trust.MaxAge = TimeSpan.FromMinutes(options.Value.ReverifyMinutes) + TimeSpan.FromSeconds(options.Value.CheckSeconds * 2);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CheckSeconds), time);
        do
        {
            try
            {
                await CheckOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Camera mask check failed; trying again in {Seconds} s", options.Value.CheckSeconds);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One look at every open camera path (tests call it to skip the timer).</summary>
    public async Task CheckOnceAsync(CancellationToken ct)
    {
        foreach (var path in paths.Paths.Where(p => p.IsCameraUpstream && p.Status.State == Events.CameraLiveState.Online))
        {
            var camera = await cameras.FindAsync(path.Key, ct);
            if (camera is null || !PictureFeedRule.For(camera).IsMasked || string.IsNullOrEmpty(camera.OnvifUrl))
            {
                continue;
            }

            var state = _states.GetOrAdd(camera.Id, _ => new State());
            if (await DueAsync(camera, path, state, ct) is { } why)
            {
                await VerifyAsync(camera, state, why, ct);
            }
        }
    }

    /// <summary>Why the camera must be verified now, or null.</summary>
    private async Task<string?> DueAsync(CameraSource camera, CameraPath path, State state, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var verified = trust.Verified(camera.Id);
        string? maskSha = null;
        if (state.Width > 0)
        {
            try
            {
                maskSha = (await masks.GetAsync(camera, state.Width, state.Height, ct)).Sha256;
            }
            catch (MaskUnavailableException e)
            {
                trust.Distrust(camera.Id, e.Message);
                return null;
            }
        }

        if (verified.At is { } at)
        {
            if (!ReferenceEquals(verified.Path, path) || verified.Run != path.UpstreamStarts)
            {
                return "the camera reconnected";
            }

            if (maskSha is not null && maskSha != verified.MaskSha)
            {
                trust.Distrust(camera.Id, "the camera's mask changed: verified again before its picture is relayed");
                return "the mask changed";
            }

            if (!trust.Trusts(camera, path))
            {
                return "the profile changed";
            }

            return now - at >= TimeSpan.FromMinutes(options.Value.ReverifyMinutes) ? "the hourly verification is due" : null;
        }

        if (maskSha is not null && state.TriedSha is not null && maskSha != state.TriedSha)
        {
            return "the mask changed";
        }

        return now >= state.RetryAt ? (state.Attempts == 0 ? "first look" : "retry") : null;
    }

    private async Task VerifyAsync(CameraSource camera, State state, string why, CancellationToken ct)
    {
        state.Attempts++;
        var o = options.Value;
        state.RetryAt = time.GetUtcNow() + TimeSpan.FromMinutes(o.RetryMinutes);
        try
        {
            // Hosts without the ONVIF module (a broker alone) cannot talk to cameras: they mask in the hub.
            var provisioner = services.GetService<Onvif.Probing.OnvifClientFactory>() is { } factory
                ? new CameraMaskProvisioner(factory, services.GetRequiredService<ILogger<CameraMaskProvisioner>>())
                : throw new InvalidOperationException("this hub has no ONVIF client");
            if (state.ProvisionedSha is null && await provisioner.RefusalAsync(camera, ct) is { } refusal)
            {
                // Asked before any snapshot: a camera without masks is never read for nothing.
                trust.Distrust(camera.Id, $"masked in the hub: {refusal}");
                return;
            }

            var frame = await CameraSnapshot.TakeAsync(paths, camera, broker.Value, time, logger, ct);
            (state.Width, state.Height) = (frame.Width, frame.Height);
            var mask = await masks.GetAsync(camera, frame.Width, frame.Height, ct);
            state.TriedSha = mask.Sha256;
            var obscure = await CameraSnapshot.GreyAsync(broker.Value.FfmpegPath, mask.ObscurePng, "png_pipe", frame.Width, frame.Height, logger, ct);
            for (var i = 0; i < obscure.Length; i++)
            {
                obscure[i] = obscure[i] >= 128 ? (byte)1 : (byte)0;
            }

            if (state.ProvisionedSha != mask.Sha256)
            {
                var provisioning = await provisioner.ProvisionAsync(camera, obscure, frame.Width, frame.Height, o.MaxKeptLoss, ct);
                if (!provisioning.Done)
                {
                    logger.LogInformation("Camera {Camera} is masked in the hub: {Reason}", camera.Id, provisioning.Reason);
                    trust.Distrust(camera.Id, $"masked in the hub: {provisioning.Reason}");
                    return;
                }

                (state.ProvisionedSha, state.FillLuma, state.JustProvisioned) = (mask.Sha256, provisioning.FillLuma, true);
                frame = await FreshFrameAsync(camera, o, ct);
            }

            var verdict = CameraMaskVerifier.Judge(frame.Grey, obscure, frame.Width, frame.Height, state.FillLuma);
            // Just provisioned: a camera (or a loaded hub) may show the masks a little late. Judge the newest picture
            // again, up to SettleAttempts times, before calling the camera a liar; one that never draws them is still
            // caught within seconds, and until it passes nobody is shown its picture.
            for (var attempt = 1; !verdict.Passed && state.JustProvisioned && attempt < o.SettleAttempts; attempt++)
            {
                frame = await FreshFrameAsync(camera, o, ct);
                verdict = CameraMaskVerifier.Judge(frame.Grey, obscure, frame.Width, frame.Height, state.FillLuma);
            }

            state.JustProvisioned = false;
            if (verdict.Passed && frame.Path.UpstreamStarts == frame.UpstreamRun)
            {
                trust.Passed(camera, frame.Path, frame.UpstreamRun, mask.Sha256, verdict.Reason);
                logger.LogInformation("Camera {Camera} masks itself, verified ({Why}): {Reason}", camera.Id, why, verdict.Reason);
                state.RetryAt = DateTimeOffset.MinValue;
                if (services.GetService<IAlarmSink>() is { } sink)
                {
                    await sink.ClearAsync(HubAlarmKinds.CameraMaskNotApplied, camera.Id, ct);
                }

                return;
            }

            await CaughtAsync(camera, verdict.Passed ? "the camera reconnected while it was verified" : verdict.Reason, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // No snapshot, no mask, an ffmpeg failure: not verified is not trusted.
            logger.LogWarning("Camera {Camera}: its masks could not be verified ({Why}): {Reason}", camera.Id, why, e.Message);
            trust.Distrust(camera.Id, $"masked in the hub: its masks could not be verified ({e.Message})");
        }
    }

    /// <summary>The newest picture after giving the camera <see cref="CameraMaskOptions.ApplySeconds"/> to draw its masks.</summary>
    private async Task<CameraFrame> FreshFrameAsync(CameraSource camera, CameraMaskOptions o, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(o.ApplySeconds), time, ct);
        return await CameraSnapshot.TakeAsync(paths, camera, broker.Value, time, logger, ct, readOn: TimeSpan.FromSeconds(1));
    }

    private async Task CaughtAsync(CameraSource camera, string reason, CancellationToken ct)
    {
        var text = $"Camera {camera.Id} claims privacy masks but its picture does not show them: {reason}. Readers get the hub's masked feed.";
        logger.LogWarning("{Text}", text);
        trust.Distrust(camera.Id, $"masked in the hub: the camera's masks failed verification ({reason})");
        if (services.GetService<AlarmStore>() is { } store)
        {
            var now = time.GetUtcNow();
            var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["Reason"] = reason };
            await store.IngestAsync(camera.Id,
                [new OnvifNotification(NotAppliedTopic, NotAppliedTopic, CameraEventCategory.Other, now, now, "Changed",
                    new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal), data,
                    $"<CameraMaskVerification camera=\"{System.Security.SecurityElement.Escape(camera.Id)}\">{System.Security.SecurityElement.Escape(reason)}</CameraMaskVerification>")],
                ct);
        }

        if (services.GetService<IAlarmSink>() is { } sink)
        {
            await sink.RaiseAsync(new HubAlarm(HubAlarmKinds.CameraMaskNotApplied, camera.Id, AlarmSeverity.Major, text, camera.Id, camera.OwnerId), ct);
        }
    }

    private sealed class State
    {
        public int Attempts;
        public bool JustProvisioned;
        public DateTimeOffset RetryAt = DateTimeOffset.MinValue;
        public string? ProvisionedSha;
        public string? TriedSha;
        public int? FillLuma;
        public int Width;
        public int Height;
    }
}
