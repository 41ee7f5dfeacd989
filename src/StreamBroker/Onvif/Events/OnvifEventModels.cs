using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif.Events;

/// <summary>The small set of kinds the hub routes camera events by; the raw topic is kept next to it.</summary>
public enum CameraEventCategory
{
    Other = 0,
    Motion = 1,
    Tamper = 2,
    VideoLoss = 3,
    DigitalInput = 4,
    Analytics = 5,
}

/// <summary>A pull-point subscription as the camera handed it out: where to pull, what to echo, until when.</summary>
/// <param name="Address">The subscription's address (re-based onto the address the camera was reached at).</param>
/// <param name="ReferenceParameters">WS-Addressing reference parameters to send back as headers (Axis' SubscriptionId).</param>
/// <param name="CurrentTime">The camera's clock when it answered, as it wrote it.</param>
/// <param name="TerminationTime">When the camera will drop the subscription unless renewed, in the camera's clock.</param>
public sealed record OnvifSubscription(Uri Address, IReadOnlyList<XElement> ReferenceParameters, DateTimeOffset? CurrentTime, DateTimeOffset? TerminationTime);

/// <summary>One notification from PullMessages.</summary>
/// <param name="Topic">The topic as sent, e.g. "tns1:RuleEngine/CellMotionDetector/Motion" (empty for Dahua's empty message).</param>
/// <param name="TopicPath">The topic without prefixes, e.g. "RuleEngine/CellMotionDetector/Motion".</param>
/// <param name="Category">The normalised kind (<see cref="EventTopics.Categorise"/>).</param>
/// <param name="CameraTime">UtcTime as the camera stamped it, in the camera's clock.</param>
/// <param name="OccurredAt">When it happened in our clock: camera time minus the camera's clock skew.</param>
/// <param name="Operation">PropertyOperation: Initialized (a state as of subscribing), Changed, Deleted, or null for pulses.</param>
/// <param name="Source">Source items, e.g. VideoSourceConfigurationToken, InputToken.</param>
/// <param name="Key">Key items, e.g. ObjectId.</param>
/// <param name="Data">Data items, e.g. IsMotion=true, State=false.</param>
/// <param name="RawXml">The wsnt:NotificationMessage as received, for the record and for topics the hub does not know.</param>
public sealed record OnvifNotification(
    string Topic,
    string TopicPath,
    CameraEventCategory Category,
    DateTimeOffset? CameraTime,
    DateTimeOffset? OccurredAt,
    string? Operation,
    IReadOnlyDictionary<string, string> Source,
    IReadOnlyDictionary<string, string> Key,
    IReadOnlyDictionary<string, string> Data,
    string RawXml)
{
    /// <summary>The boolean state the message carries (IsMotion, State, IsTamper, LogicalState, …), when it carries one.</summary>
    public bool? Active => EventTopics.ActiveState(Data);

    /// <summary>Initialized messages repeat a state as of (re)subscribing; they are not something that just happened.</summary>
    public bool IsInitialState => string.Equals(Operation, "Initialized", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One PullMessages answer.</summary>
public sealed record OnvifPullResult(DateTimeOffset? CurrentTime, DateTimeOffset? TerminationTime, IReadOnlyList<OnvifNotification> Messages);

/// <summary>A topic the camera says it can send (GetEventProperties).</summary>
/// <param name="Path">Local names joined by '/', e.g. "VideoSource/MotionAlarm".</param>
/// <param name="Category">The normalised kind.</param>
/// <param name="IsProperty">True for states (with Initialized/Changed), false for pulses, null when undescribed.</param>
/// <param name="DataItems">Names of the data items the messages carry, e.g. ["State"].</param>
public sealed record OnvifEventTopic(string Path, CameraEventCategory Category, bool? IsProperty, IReadOnlyList<string> DataItems);

/// <summary>What GetEventProperties says: the topic set (duplicates from repeated tree roots merged) and whether it is fixed.</summary>
public sealed record OnvifEventProperties(IReadOnlyList<OnvifEventTopic> Topics, bool? FixedTopicSet);

/// <summary>The XML namespaces of WS-BaseNotification, WS-Topics and WS-Addressing 1.0 that the events service uses.</summary>
public static class EventNamespaces
{
    public static readonly XNamespace Notification = "http://docs.oasis-open.org/wsn/b-2";
    public static readonly XNamespace Topics = "http://docs.oasis-open.org/wsn/t-1";
    public static readonly XNamespace Addressing = "http://www.w3.org/2005/08/addressing";
}
