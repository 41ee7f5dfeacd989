using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif.Events;

/// <summary>Reads the events service's answers, tolerating what real cameras send (see the fixtures' SOURCES.md).</summary>
public static partial class OnvifEventResponses
{
    /// <summary>
    /// The subscription reference. An empty address (seen on a gSOAP device) means "pull where you subscribed", so
    /// <paramref name="eventsService"/> stands in; an address on another host is the camera's LAN view of itself.
    /// </summary>
    public static OnvifSubscription Subscription(XElement response, Uri eventsService, Func<Uri?, Uri?> rebase)
    {
        var reference = response.Child("SubscriptionReference")
            ?? throw new OnvifProtocolException("CreatePullPointSubscription", "the answer has no SubscriptionReference");
        var text = reference.ChildText("Address")?.Trim();
        Uri address;
        if (string.IsNullOrEmpty(text))
        {
            address = eventsService;
        }
        else if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
        {
            throw new OnvifProtocolException("CreatePullPointSubscription", $"the subscription address \"{text}\" is not an http(s) URL");
        }
        else
        {
            address = rebase(parsed)!;
        }

        var parameters = reference.Child("ReferenceParameters")?.Elements().Select(CleanReferenceParameter).ToList() ?? [];
        return new OnvifSubscription(address, parameters, Time(response.ChildText("CurrentTime")), Time(response.ChildText("TerminationTime")));
    }

    /// <summary>PullMessages: times and notifications; <paramref name="skew"/> (camera minus ours) is taken off each UtcTime.</summary>
    public static OnvifPullResult PullMessages(XElement response, TimeSpan skew) => new(
        Time(response.ChildText("CurrentTime")),
        Time(response.ChildText("TerminationTime")),
        response.Children("NotificationMessage").Select(m => Notification(m, skew)).ToList());

    /// <summary>The new termination time from a Renew answer.</summary>
    public static DateTimeOffset? Renew(XElement response) => Time(response.ChildText("TerminationTime"));

    /// <summary>Every topic of the TopicSet that carries a message description or has no children; repeated roots merged.</summary>
    public static OnvifEventProperties EventProperties(XElement response)
    {
        var topics = new Dictionary<string, OnvifEventTopic>(StringComparer.Ordinal);
        if (response.Child("TopicSet") is { } set)
        {
            foreach (var root in set.Elements())
            {
                Walk(root, root.Name.LocalName, topics);
            }
        }

        bool? fixedSet = bool.TryParse(response.ChildText("FixedTopicSet")?.Trim(), out var f) ? f : null;
        return new OnvifEventProperties(topics.Values.OrderBy(t => t.Path, StringComparer.Ordinal).ToList(), fixedSet);
    }

    private static void Walk(XElement node, string path, Dictionary<string, OnvifEventTopic> topics)
    {
        var description = node.Child("MessageDescription");
        var children = node.Elements().Where(e => e.Name.LocalName != "MessageDescription").ToList();
        if (description is not null || children.Count == 0)
        {
            bool? isProperty = bool.TryParse(description?.AttributeValue("IsProperty"), out var p) ? p : null;
            var items = description?.Child("Data")?.Children("SimpleItemDescription")
                .Select(i => i.AttributeValue("Name") ?? string.Empty).Where(n => n.Length > 0).ToList() ?? [];
            topics.TryAdd(path, new OnvifEventTopic(path, EventTopics.Categorise(path), isProperty, items));
        }

        foreach (var child in children)
        {
            Walk(child, $"{path}/{child.Name.LocalName}", topics);
        }
    }

    private static OnvifNotification Notification(XElement message, TimeSpan skew)
    {
        var topic = message.Child("Topic")?.Value.Trim() ?? string.Empty;
        var path = EventTopics.PathOf(topic);
        var inner = message.Child("Message")?.Child("Message");
        var cameraTime = Time(inner?.AttributeValue("UtcTime"));
        return new OnvifNotification(
            topic, path, EventTopics.Categorise(path), cameraTime, cameraTime - skew, inner?.AttributeValue("PropertyOperation"),
            Items(inner?.Child("Source")), Items(inner?.Child("Key")), Items(inner?.Child("Data")),
            message.ToString(SaveOptions.DisableFormatting));
    }

    private static Dictionary<string, string> Items(XElement? group)
    {
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in group?.Children("SimpleItem") ?? [])
        {
            if (item.AttributeValue("Name") is { Length: > 0 } name)
            {
                items.TryAdd(name, item.AttributeValue("Value") ?? string.Empty);
            }
        }

        return items;
    }

    /// <summary>Pretty-printers pushed whitespace into Axis' SubscriptionId; the device wants the bare value back.</summary>
    private static XElement CleanReferenceParameter(XElement parameter)
    {
        var copy = new XElement(parameter);
        if (!copy.HasElements)
        {
            copy.Value = copy.Value.Trim();
        }

        return copy;
    }

    /// <summary>
    /// xs:dateTime, leniently: a camera that writes minute 61 ("2024-08-17T00:61:16Z") means an hour and a minute on,
    /// so the fields are added up instead of refused. Null when the text is no date at all.
    /// </summary>
    public static DateTimeOffset? Time(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && LooksIso().IsMatch(text))
        {
            return parsed.ToUniversalTime();
        }

        var m = Overflowing().Match(text);
        if (!m.Success || m.Groups["mo"].Value is "00" || int.Parse(m.Groups["mo"].Value, CultureInfo.InvariantCulture) > 12)
        {
            return null;
        }

        int Part(string name) => int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture);
        var date = new DateTimeOffset(Part("y"), Part("mo"), 1, 0, 0, 0, TimeSpan.Zero).AddDays(Part("d") - 1);
        var fraction = m.Groups["f"].Success ? double.Parse("0" + m.Groups["f"].Value, CultureInfo.InvariantCulture) : 0;
        return date.AddHours(Part("h")).AddMinutes(Part("mi")).AddSeconds(Part("s") + fraction);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T")]
    private static partial Regex LooksIso();

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})T(?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(?<f>\.\d+)?Z$")]
    private static partial Regex Overflowing();
}
