using System.Collections.Concurrent;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Events;
using CameraHub.StreamBroker.Onvif.Probing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.StreamBroker.Alarms;

/// <summary>Settings of ONVIF event intake (CameraHub:Alarms).</summary>
public sealed class AlarmOptions
{
    public const string Section = "CameraHub:Alarms";

    /// <summary>Whether the hub subscribes to cameras' events at all (per camera: PUT /api/cameras/{id}/event-intake).</summary>
    public bool EventIntakeEnabled { get; set; } = true;

    /// <summary>How long a PullMessages long poll waits on the camera.</summary>
    public int PullWaitSeconds { get; set; } = 10;

    /// <summary>The subscription's lifetime asked for; it is renewed at half of it.</summary>
    public int SubscriptionSeconds { get; set; } = 60;

    /// <summary>The longest wait between attempts after failures (doubling from 1 s).</summary>
    public int MaxBackoffSeconds { get; set; } = 60;

    /// <summary>How long before a camera without an event service is asked again.</summary>
    public int NoEventServiceRetryMinutes { get; set; } = 30;

    /// <summary>How often the intake re-reads which cameras have intake on (a change through the API wakes it at once).</summary>
    public int RescanSeconds { get; set; } = 30;
}

/// <summary>Wakes the intake when a camera's setting changes.</summary>
public sealed class EventIntakeSignal
{
    private volatile TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => _changed.Task;

    public void Changed() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>Where one camera's intake is now, for the API and the tests.</summary>
public sealed record EventIntakeStatus(string State, string? Reason, DateTimeOffset Since, int Subscriptions);

/// <summary>
/// Keeps one pull-point subscription per camera with event intake on: subscribe, long-poll, renew at half the
/// lifetime, and after any failure start again with a fresh subscription, backing off (1 s doubling to a minute).
/// A camera without an event service is reported once (a hub alarm and one log line) and asked again only after
/// half an hour. Initialized states after a re-subscription never raise alarms, so a camera restart adds none.
/// </summary>
public sealed class EventIntake(
    IDbContextFactory<AlarmsDbContext> contexts, ICameraDirectory cameras, OnvifClientFactory clients, AlarmStore store,
    EventIntakeSignal signal, IOptions<AlarmOptions> options, TimeProvider time, ILogger<EventIntake> logger) : BackgroundService
{
    /// <summary>Kind of the hub alarm for a camera whose event service cannot be used.</summary>
    public const string NoEventServiceKind = HubAlarmKinds.NoEventService;

    private readonly ConcurrentDictionary<string, (CancellationTokenSource Stop, Task Loop)> _loops = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EventIntakeStatus> _status = new(StringComparer.Ordinal);

    /// <summary>The intake state of a camera, or null when it has none running.</summary>
    public EventIntakeStatus? StatusOf(string cameraId) => _status.GetValueOrDefault(cameraId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.EventIntakeEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var next = signal.Next;
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Event intake could not read which cameras have intake on");
            }

            try
            {
                await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(o.RescanSeconds), time, stoppingToken));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        foreach (var (_, loop) in _loops)
        {
            await loop.Stop.CancelAsync();
        }

        await Task.WhenAll(_loops.Values.Select(l => l.Loop));
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var wanted = (await db.EventIntake.AsNoTracking().Where(s => s.Enabled).Select(s => s.CameraId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, loop) in _loops)
        {
            if (!wanted.Contains(id) && _loops.TryRemove(id, out _))
            {
                await loop.Stop.CancelAsync();
                await loop.Loop;
                _status.TryRemove(id, out _);
            }
        }

        foreach (var id in wanted.Where(id => !_loops.ContainsKey(id)))
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _loops[id] = (stop, Task.Run(() => RunAsync(id, stop.Token), CancellationToken.None));
        }
    }

    private void Report(string cameraId, string state, string? reason, int subscriptions) =>
        _status[cameraId] = new EventIntakeStatus(state, reason, time.GetUtcNow(), subscriptions);

    private async Task RunAsync(string cameraId, CancellationToken ct)
    {
        var o = options.Value;
        var failures = 0;
        var subscriptions = 0;
        string? lastError = null;
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var camera = await cameras.FindAsync(cameraId, ct);
                if (camera?.OnvifUrl is not { } onvif || !Uri.TryCreate(onvif, UriKind.Absolute, out var deviceUri))
                {
                    await NoEventServiceAsync(camera, cameraId, "the camera has no ONVIF address in the registry", subscriptions, ct);
                    wait = TimeSpan.FromMinutes(o.NoEventServiceRetryMinutes);
                }
                else
                {
                    await SubscribeAndPullAsync(camera, deviceUri, () => { subscriptions++; failures = 0; lastError = null; return subscriptions; }, ct);
                    continue;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (NoEventServiceException e)
            {
                await NoEventServiceAsync(e.Camera, cameraId, e.Message, subscriptions, ct);
                wait = TimeSpan.FromMinutes(o.NoEventServiceRetryMinutes);
            }
            catch (OnvifException e)
            {
                failures++;
                wait = TimeSpan.FromSeconds(Math.Min(o.MaxBackoffSeconds, Math.Pow(2, Math.Min(failures - 1, 10))));
                Report(cameraId, "Retrying", e.Message, subscriptions);
                // One log line per distinct trouble, not one per attempt.
                if (e.Message != lastError)
                {
                    logger.LogWarning("Event intake of camera {Camera}: {Error}; trying again with a new subscription in {Wait} s", cameraId, e.Message, wait.TotalSeconds);
                    lastError = e.Message;
                }
            }

            try
            {
                await Task.Delay(wait, time, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task NoEventServiceAsync(CameraSource? camera, string cameraId, string reason, int subscriptions, CancellationToken ct)
    {
        if (StatusOf(cameraId)?.State != "NoEventService")
        {
            logger.LogWarning("Camera {Camera} offers no usable ONVIF event service ({Reason}); asking again in {Minutes} min",
                cameraId, reason, options.Value.NoEventServiceRetryMinutes);
            await store.RaiseAsync(new HubAlarm(NoEventServiceKind, cameraId, AlarmSeverity.Warning,
                $"Camera {cameraId} has event intake on but offers no usable ONVIF event service: {reason}", cameraId, camera?.OwnerId), ct);
        }

        Report(cameraId, "NoEventService", reason, subscriptions);
    }

    private async Task SubscribeAndPullAsync(CameraSource camera, Uri deviceUri, Func<int> subscribed, CancellationToken ct)
    {
        var o = options.Value;
        var credentials = camera.Username is { Length: > 0 } user ? new OnvifCredentials(user, camera.Password ?? string.Empty) : null;
        var client = clients.Create(deviceUri, credentials);
        try
        {
            await client.GetSystemDateAndTimeAsync(ct);
        }
        catch (OnvifFaultException)
        {
            // Without the device clock tokens and event times go by ours, and by each answer's CurrentTime.
        }

        var services = await client.GetServiceAddressesAsync(ct);
        if (services.Events is not { } eventsUri)
        {
            throw new NoEventServiceException(camera, "the camera lists no events service");
        }

        var events = new OnvifEventsClient(client, eventsUri, time);
        var lifetime = TimeSpan.FromSeconds(o.SubscriptionSeconds);
        OnvifSubscription subscription;
        try
        {
            subscription = await events.CreatePullPointSubscriptionAsync(lifetime, ct);
        }
        catch (OnvifActionNotSupportedException e)
        {
            throw new NoEventServiceException(camera, e.Message);
        }
        catch (OnvifProtocolException e) when (e.HttpStatus is 404 or 200)
        {
            // An HTML "404" page (with status 404 or even 200) where the events service should be.
            throw new NoEventServiceException(camera, e.Message);
        }

        if (StatusOf(camera.Id)?.State == "NoEventService")
        {
            await store.ClearAsync(NoEventServiceKind, camera.Id, ct);
        }

        var count = subscribed();
        Report(camera.Id, "Subscribed", null, count);
        var renewAt = time.GetUtcNow() + (lifetime / 2);
        OnvifMetrics.SubscriptionOpened();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var pull = await events.PullMessagesAsync(subscription, TimeSpan.FromSeconds(o.PullWaitSeconds), 100, ct);
                await store.IngestAsync(camera.Id, pull.Messages, ct);
                if (time.GetUtcNow() >= renewAt)
                {
                    await events.RenewAsync(subscription, lifetime, ct);
                    renewAt = time.GetUtcNow() + (lifetime / 2);
                }
            }
        }
        finally
        {
            OnvifMetrics.SubscriptionClosed();
            if (ct.IsCancellationRequested)
            {
                await UnsubscribeQuietlyAsync(events, subscription);
            }
        }
    }

    /// <summary>Best effort on the way out: the camera drops the subscription at its termination time anyway.</summary>
    private async Task UnsubscribeQuietlyAsync(OnvifEventsClient events, OnvifSubscription subscription)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
        try
        {
            await events.UnsubscribeAsync(subscription, timeout.Token);
        }
        catch (Exception e) when (e is OnvifException or OperationCanceledException)
        {
            logger.LogDebug("Unsubscribe at {Address} failed: {Error}", subscription.Address, e.Message);
        }
    }

    private sealed class NoEventServiceException(CameraSource camera, string message) : Exception(message)
    {
        public CameraSource Camera { get; } = camera;
    }
}
