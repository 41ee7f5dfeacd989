using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif.Events;

/// <summary>
/// The ONVIF Events service over one <see cref="OnvifClient"/> (same credentials, same clock skew, same limits):
/// GetEventProperties, CreatePullPointSubscription, PullMessages (long poll), Renew, Unsubscribe and
/// SetSynchronizationPoint. Faults come back as the client's typed <see cref="OnvifException"/>s.
/// </summary>
public sealed class OnvifEventsClient(OnvifClient client, Uri eventsService, TimeProvider time)
{
    private const string EventAction = "http://www.onvif.org/ver10/events/wsdl/EventPortType/";
    private const string PullAction = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/";
    private const string ManagerAction = "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/";

    /// <summary>How long past the long poll's own timeout we wait for the camera before calling it a timeout.</summary>
    public static readonly TimeSpan PollGrace = TimeSpan.FromSeconds(5);

    /// <summary>The events service address (from GetServices, re-based).</summary>
    public Uri EventsService { get; } = eventsService;

    public async Task<OnvifEventProperties> GetEventPropertiesAsync(CancellationToken ct) =>
        OnvifEventResponses.EventProperties(await client.CallAsync(EventsService, EventAction + "GetEventPropertiesRequest",
            new XElement(OnvifNamespaces.Events + "GetEventProperties"), "GetEventProperties", true, [], null, ct));

    /// <summary>A new pull point that the camera keeps for <paramref name="termination"/> unless renewed.</summary>
    public async Task<OnvifSubscription> CreatePullPointSubscriptionAsync(TimeSpan termination, CancellationToken ct)
    {
        var ev = OnvifNamespaces.Events;
        var body = new XElement(ev + "CreatePullPointSubscription", new XElement(ev + "InitialTerminationTime", XmlConvert.ToString(termination)));
        var response = await client.CallAsync(EventsService, EventAction + "CreatePullPointSubscriptionRequest", body,
            "CreatePullPointSubscription", true, [], null, ct);
        return OnvifEventResponses.Subscription(response, EventsService, client.Rebase);
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> on the camera for at most <paramref name="limit"/> messages. Event times
    /// are moved into our clock with the skew the device clock call measured, or else the skew the answer's
    /// CurrentTime shows.
    /// </summary>
    public async Task<OnvifPullResult> PullMessagesAsync(OnvifSubscription subscription, TimeSpan wait, int limit, CancellationToken ct)
    {
        var ev = OnvifNamespaces.Events;
        var body = new XElement(ev + "PullMessages",
            new XElement(ev + "Timeout", XmlConvert.ToString(wait)),
            new XElement(ev + "MessageLimit", limit.ToString(CultureInfo.InvariantCulture)));
        var response = await client.CallAsync(subscription.Address, PullAction + "PullMessagesRequest", body, "PullMessages", true,
            Headers(subscription, PullAction + "PullMessagesRequest"), wait + PollGrace, ct);
        var skew = client.ClockSkew ?? SkewFromAnswer(response);
        return OnvifEventResponses.PullMessages(response, skew);
    }

    /// <summary>Extends the subscription; returns the camera's new termination time (its clock).</summary>
    public async Task<DateTimeOffset?> RenewAsync(OnvifSubscription subscription, TimeSpan termination, CancellationToken ct)
    {
        var wsnt = EventNamespaces.Notification;
        var body = new XElement(wsnt + "Renew", new XElement(wsnt + "TerminationTime", XmlConvert.ToString(termination)));
        var response = await client.CallAsync(subscription.Address, ManagerAction + "RenewRequest", body, "Renew", true,
            Headers(subscription, ManagerAction + "RenewRequest"), null, ct);
        return OnvifEventResponses.Renew(response);
    }

    public async Task UnsubscribeAsync(OnvifSubscription subscription, CancellationToken ct) =>
        await client.CallAsync(subscription.Address, ManagerAction + "UnsubscribeRequest", new XElement(EventNamespaces.Notification + "Unsubscribe"),
            "Unsubscribe", true, Headers(subscription, ManagerAction + "UnsubscribeRequest"), null, ct);

    /// <summary>Asks the camera to send every property's current state again (as Initialized messages) on this pull point.</summary>
    public async Task SetSynchronizationPointAsync(OnvifSubscription subscription, CancellationToken ct) =>
        await client.CallAsync(subscription.Address, PullAction + "SetSynchronizationPointRequest", new XElement(OnvifNamespaces.Events + "SetSynchronizationPoint"),
            "SetSynchronizationPoint", true, Headers(subscription, PullAction + "SetSynchronizationPointRequest"), null, ct);

    /// <summary>WS-Addressing To and Action, plus the reference parameters the camera asked to get back.</summary>
    private static List<XElement> Headers(OnvifSubscription subscription, string action)
    {
        var wsa = EventNamespaces.Addressing;
        var headers = new List<XElement>
        {
            new(wsa + "Action", action),
            new(wsa + "To", subscription.Address.AbsoluteUri),
        };
        headers.AddRange(subscription.ReferenceParameters.Select(p => new XElement(p)));
        return headers;
    }

    /// <summary>A long poll is answered when it ends, so the camera's CurrentTime is compared with our receive time.</summary>
    private TimeSpan SkewFromAnswer(XElement response) =>
        OnvifEventResponses.Time(response.ChildText("CurrentTime")) is { } cameraNow
            ? TimeSpan.FromSeconds(Math.Round((cameraNow - time.GetUtcNow()).TotalSeconds))
            : TimeSpan.Zero;
}
