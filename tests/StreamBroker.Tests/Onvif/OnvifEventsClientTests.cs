using System.Xml.Linq;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Events;
using Microsoft.Extensions.Time.Testing;
using static CameraHub.StreamBroker.Tests.Onvif.OnvifClientTests;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>What the Events client puts on the wire and how it dates what comes back (scripted answers from real captures).</summary>
public sealed class OnvifEventsClientTests
{
    private const string Axis = "onvif-nvt/axis_Q6045-E_events_CreatePullPointSubscription.xml";
    private static readonly Uri Device = new("http://10.0.0.5/onvif/device_service");
    private static readonly XNamespace Wsa = EventNamespaces.Addressing;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 21, 17, 8, 10, TimeSpan.Zero));

    [Fact]
    public async Task Pulls_from_axis_single_endpoint_with_its_subscription_id_sent_back_as_a_header()
    {
        var handler = new ScriptedHandler(
            _ => Soap(Fixture.Text(Axis)),
            _ => Soap(Fixture.Text("ubiquiti-protect-onvif-event-listener/dahua-family_cellmotion-cam_events_PullMessages_MotionTrue.xml")));
        var events = Events(handler);

        var subscription = await events.CreatePullPointSubscriptionAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        var pull = await events.PullMessagesAsync(subscription, TimeSpan.FromSeconds(10), 100, CancellationToken.None);

        // The camera's LAN address is reached where the device was reached.
        Assert.Equal("http://10.0.0.5/onvif/services", subscription.Address.AbsoluteUri);
        var create = XDocument.Parse(handler.Requests[0]).Root!;
        Assert.Equal("PT1M", create.Descendant("InitialTerminationTime")!.Value);
        var request = XDocument.Parse(handler.Requests[1]).Root!;
        var header = request.Child("Header")!;
        Assert.Equal("5", header.Elements(XName.Get("SubscriptionId", "http://www.axis.com/2009/event")).Single().Value);
        Assert.Equal("http://10.0.0.5/onvif/services", header.Element(Wsa + "To")!.Value);
        Assert.Equal("http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest", header.Element(Wsa + "Action")!.Value);
        Assert.NotNull(WsSecurity.ReadToken(request));
        Assert.Equal("PT10S", request.Descendant("Timeout")!.Value);
        Assert.Equal("100", request.Descendant("MessageLimit")!.Value);
        Assert.Equal(2, pull.Messages.Count);
    }

    [Fact]
    public async Task Dates_events_by_our_clock_using_the_skew_the_device_clock_call_measured()
    {
        var handler = new ScriptedHandler(
            _ => Soap(SystemDateAndTime(_time.GetUtcNow().AddMinutes(2))),
            _ => Soap(Fixture.Text("ubiquiti-protect-onvif-event-listener/dahua-family_cellmotion-cam_events_PullMessages_MotionTrue.xml")));
        var client = new OnvifClient(new HttpClient(handler), Device, new OnvifCredentials("admin", "secret"), _time);
        await client.GetSystemDateAndTimeAsync(CancellationToken.None);
        var events = new OnvifEventsClient(client, new Uri("http://10.0.0.5/onvif/event_service"), _time);

        var pull = await events.PullMessagesAsync(new OnvifSubscription(new Uri("http://10.0.0.5/sub"), [], null, null), TimeSpan.FromSeconds(5), 10, CancellationToken.None);

        // The camera stamped 17:08:10 on a clock two minutes fast: it happened at 17:06:10 by ours.
        Assert.Equal(new DateTimeOffset(2026, 3, 21, 17, 6, 10, TimeSpan.Zero), pull.Messages[0].OccurredAt);
    }

    [Fact]
    public async Task Without_a_measured_skew_the_answers_current_time_gives_it()
    {
        // The answer says 17:08:10 (CurrentTime); our clock says 17:09:10: the camera is a minute slow.
        _time.Advance(TimeSpan.FromMinutes(1));
        var handler = new ScriptedHandler(
            _ => Soap(Fixture.Text("ubiquiti-protect-onvif-event-listener/dahua-family_cellmotion-cam_events_PullMessages_MotionTrue.xml")));

        var pull = await Events(handler).PullMessagesAsync(new OnvifSubscription(new Uri("http://10.0.0.5/sub"), [], null, null), TimeSpan.FromSeconds(5), 10, CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2026, 3, 21, 17, 9, 10, TimeSpan.Zero), pull.Messages[0].OccurredAt);
    }

    [Fact]
    public async Task Renews_and_unsubscribes_at_the_subscription_address_with_ws_notification_actions()
    {
        var handler = new ScriptedHandler(
            _ => Soap(Fixture.Text("ubiquiti-protect-onvif-event-listener/dahua-family_cellmotion-cam_events_Renew.xml")),
            _ => Soap(Fixture.Text("2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_events_Unsubscribe.xml")));
        var events = Events(handler);
        var subscription = new OnvifSubscription(new Uri("http://10.0.0.5/onvif/Subscription?Idx=0"), [], null, null);

        var termination = await events.RenewAsync(subscription, TimeSpan.FromMinutes(2), CancellationToken.None);
        await events.UnsubscribeAsync(subscription, CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2026, 3, 21, 17, 9, 13, TimeSpan.Zero), termination);
        var renew = XDocument.Parse(handler.Requests[0]).Root!;
        Assert.Equal("PT2M", renew.Descendant("TerminationTime")!.Value);
        Assert.Equal("http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest", renew.Child("Header")!.Element(Wsa + "Action")!.Value);
        Assert.Equal("http://10.0.0.5/onvif/Subscription?Idx=0", renew.Child("Header")!.Element(Wsa + "To")!.Value);
        Assert.Equal("Unsubscribe", XDocument.Parse(handler.Requests[1]).Root!.Child("Body")!.Elements().Single().Name.LocalName);
    }

    [Fact]
    public async Task A_long_poll_is_allowed_its_own_wait_plus_grace_before_it_times_out()
    {
        var handler = new ScriptedHandler(_ => throw new InvalidOperationException("not reached"), hang: true);
        var events = Events(handler);

        var pull = events.PullMessagesAsync(new OnvifSubscription(new Uri("http://10.0.0.5/sub"), [], null, null), TimeSpan.FromSeconds(20), 10, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.False(pull.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(11));

        var error = await Assert.ThrowsAsync<OnvifTimeoutException>(() => pull);
        Assert.Equal("PullMessages: no answer within 25 s", error.Message);
    }

    private OnvifEventsClient Events(ScriptedHandler handler) =>
        new(new OnvifClient(new HttpClient(handler), Device, new OnvifCredentials("admin", "secret"), _time), new Uri("http://10.0.0.5/onvif/event_service"), _time);
}
