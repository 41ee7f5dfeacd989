using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using System.Xml;
using System.Xml.Linq;
using CameraHub.StreamBroker.Onvif;

namespace CameraHub.FakeCamera;

/// <summary>What a test can make the fake camera report.</summary>
public enum FakeEvent
{
    Motion,
    Tamper,
    DigitalInput,
}

/// <summary>
/// The fake camera's ONVIF event service: pull-point subscriptions that hold scripted motion, tamper and input events,
/// with the current states sent as Initialized on subscribing and on SetSynchronizationPoint, Renew, Unsubscribe, and
/// a long-polled PullMessages. Subscriptions live in memory, so a restarted camera forgets them (as real ones do).
/// </summary>
public sealed class FakeEventService(TimeProvider time, Func<DateTimeOffset> deviceNow)
{
    public const string EventsPath = "/onvif/event_service";
    public const string SubscriptionPath = "/onvif/subscription";
    private const int MaxQueued = 1000;

    private static readonly XNamespace Tev = OnvifNamespaces.Events;
    private static readonly XNamespace Tt = OnvifNamespaces.Schema;
    private static readonly XNamespace Wsnt = "http://docs.oasis-open.org/wsn/b-2";
    private static readonly XNamespace Wsa = "http://www.w3.org/2005/08/addressing";
    private static readonly XNamespace Wstop = "http://docs.oasis-open.org/wsn/t-1";
    private static readonly XNamespace Tns1 = "http://www.onvif.org/ver10/topics";

    private readonly ConcurrentDictionary<int, Subscription> _subscriptions = new();
    private readonly ConcurrentDictionary<FakeEvent, bool> _states = new();
    private int _nextId;

    private sealed class Subscription(DateTimeOffset termination)
    {
        public Channel<XElement> Messages { get; } = Channel.CreateBounded<XElement>(new BoundedChannelOptions(MaxQueued) { FullMode = BoundedChannelFullMode.DropOldest });
        public DateTimeOffset Termination { get; set; } = termination;
    }

    /// <summary>Subscriptions alive now (tests: one per hub, none after Unsubscribe).</summary>
    public int Subscriptions => _subscriptions.Count(s => s.Value.Termination > deviceNow());

    /// <summary>How many subscriptions were ever created (tests: a re-subscription after a restart).</summary>
    public int Created => _nextId;

    /// <summary>Forgets every subscription, as a camera does when it restarts; the current states stay.</summary>
    public void Restart() => _subscriptions.Clear();

    /// <summary>Reports a state change to every live subscription, stamped with the camera's clock.</summary>
    public void Emit(FakeEvent kind, bool state)
    {
        _states[kind] = state;
        var message = Message(kind, state, "Changed");
        foreach (var (_, subscription) in _subscriptions)
        {
            subscription.Messages.Writer.TryWrite(new XElement(message));
        }
    }

    /// <summary>The answer to an events-service operation, or null when <paramref name="request"/> is not one.</summary>
    public async Task<(int Status, XElement Body)?> AnswerAsync(XElement request, string path, string baseUri, CancellationToken ct)
    {
        var operation = request.Name.LocalName;
        var now = deviceNow();
        switch (operation)
        {
            case "GetEventProperties":
                return (200, EventProperties());
            case "CreatePullPointSubscription":
                var lifetime = Duration(request.Descendant("InitialTerminationTime")?.Value) ?? TimeSpan.FromMinutes(1);
                var id = Interlocked.Increment(ref _nextId);
                var subscription = new Subscription(now + lifetime);
                _subscriptions[id] = subscription;
                Synchronise(subscription);
                return (200, new XElement(Tev + "CreatePullPointSubscriptionResponse",
                    new XElement(Tev + "SubscriptionReference", new XElement(Wsa + "Address", $"{baseUri}{SubscriptionPath}/{id}")),
                    new XElement(Wsnt + "CurrentTime", Time(now)), new XElement(Wsnt + "TerminationTime", Time(subscription.Termination))));
        }

        // Media and Media2 have a SetSynchronizationPoint of their own (a keyframe now): only the Events one is ours.
        if (operation is not ("PullMessages" or "Renew" or "Unsubscribe" or "SetSynchronizationPoint")
            || (operation == "SetSynchronizationPoint" && request.Name.Namespace != Tev))
        {
            return null;
        }

        if (!path.StartsWith(SubscriptionPath + "/", StringComparison.Ordinal)
            || !int.TryParse(path[(SubscriptionPath.Length + 1)..], CultureInfo.InvariantCulture, out var number)
            || !_subscriptions.TryGetValue(number, out var sub) || sub.Termination <= now)
        {
            // What a real camera says after a restart or past the termination time.
            return (400, SimulatedDevice.Fault("Sender", ["ter:InvalidArgVal", "ter:ResourceUnknownFault"], $"no subscription at {path}"));
        }

        switch (operation)
        {
            case "Renew":
                sub.Termination = now + (Duration(request.Descendant("TerminationTime")?.Value) ?? TimeSpan.FromMinutes(1));
                return (200, new XElement(Wsnt + "RenewResponse", new XElement(Wsnt + "TerminationTime", Time(sub.Termination)), new XElement(Wsnt + "CurrentTime", Time(now))));
            case "Unsubscribe":
                _subscriptions.TryRemove(number, out _);
                return (200, new XElement(Wsnt + "UnsubscribeResponse"));
            case "SetSynchronizationPoint":
                Synchronise(sub);
                return (200, new XElement(Tev + "SetSynchronizationPointResponse"));
        }

        var wait = Duration(request.Descendant("Timeout")?.Value) ?? TimeSpan.FromSeconds(10);
        var limit = int.TryParse(request.Descendant("MessageLimit")?.Value, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 1000) : 100;
        var messages = new List<XElement>();
        using var timeout = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            // Answer as soon as something is there, with whatever else is queued, up to the limit.
            if (await sub.Messages.Reader.WaitToReadAsync(linked.Token))
            {
                while (messages.Count < limit && sub.Messages.Reader.TryRead(out var message))
                {
                    messages.Add(message);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }

        now = deviceNow();
        return (200, new XElement(Tev + "PullMessagesResponse",
            new XElement(Tev + "CurrentTime", Time(now)), new XElement(Tev + "TerminationTime", Time(sub.Termination)), messages));
    }

    private void Synchronise(Subscription subscription)
    {
        foreach (var kind in Enum.GetValues<FakeEvent>())
        {
            subscription.Messages.Writer.TryWrite(Message(kind, _states.GetValueOrDefault(kind), "Initialized"));
        }
    }

    private XElement Message(FakeEvent kind, bool state, string operation)
    {
        var (topic, source, item) = kind switch
        {
            FakeEvent.Motion => ("tns1:RuleEngine/CellMotionDetector/Motion", ("VideoSourceConfigurationToken", "VideoSource_1"), "IsMotion"),
            FakeEvent.Tamper => ("tns1:RuleEngine/TamperDetector/Tamper", ("VideoSourceConfigurationToken", "VideoSource_1"), "IsTamper"),
            _ => ("tns1:Device/Trigger/DigitalInput", ("InputToken", "DigitalInput_1"), "LogicalState"),
        };
        return new XElement(Wsnt + "NotificationMessage",
            new XElement(Wsnt + "Topic", new XAttribute("Dialect", "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"),
                new XAttribute(XNamespace.Xmlns + "tns1", Tns1.NamespaceName), topic),
            new XElement(Wsnt + "Message",
                new XElement(Tt + "Message", new XAttribute("UtcTime", Time(deviceNow())), new XAttribute("PropertyOperation", operation),
                    new XElement(Tt + "Source", SimpleItem(source.Item1, source.Item2)),
                    new XElement(Tt + "Data", SimpleItem(item, state ? "true" : "false")))));
    }

    private static XElement SimpleItem(string name, string value) => new(Tt + "SimpleItem", new XAttribute("Name", name), new XAttribute("Value", value));

    private static XElement EventProperties()
    {
        static XElement Topic(XName name, string item, string type, params XElement[] children) => new(name, new XAttribute(Wstop + "topic", "true"),
            children.Length > 0 ? children : new XElement(Tt + "MessageDescription", new XAttribute("IsProperty", "true"),
                new XElement(Tt + "Data", new XElement(Tt + "SimpleItemDescription", new XAttribute("Name", item), new XAttribute("Type", type)))));
        return new XElement(Tev + "GetEventPropertiesResponse",
            new XElement(Tev + "TopicNamespaceLocation", "http://www.onvif.org/onvif/ver10/topics/topicns.xml"),
            new XElement(Wsnt + "FixedTopicSet", "true"),
            new XElement(Wstop + "TopicSet",
                new XElement(Tns1 + "RuleEngine", new XAttribute(Wstop + "topic", "true"),
                    new XElement("CellMotionDetector", Topic("Motion", "IsMotion", "xs:boolean")),
                    new XElement("TamperDetector", Topic("Tamper", "IsTamper", "xs:boolean"))),
                new XElement(Tns1 + "Device", new XElement("Trigger", Topic("DigitalInput", "LogicalState", "xs:boolean")))));
    }

    private static TimeSpan? Duration(string? text)
    {
        try
        {
            return text is null ? null : XmlConvert.ToTimeSpan(text.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
