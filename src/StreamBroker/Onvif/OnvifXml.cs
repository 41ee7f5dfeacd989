using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>Prefix-agnostic navigation: devices choose prefixes (tt, tr2, trt2, env, SOAP-ENV…) freely, so match local names.</summary>
public static class OnvifXml
{
    public static XElement? Child(this XElement element, string localName) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    public static IEnumerable<XElement> Children(this XElement element, string localName) =>
        element.Elements().Where(e => e.Name.LocalName == localName);

    public static string? ChildText(this XElement element, string localName) => element.Child(localName)?.Value;

    public static XElement? Descendant(this XElement element, string localName) =>
        element.Descendants().FirstOrDefault(e => e.Name.LocalName == localName);

    public static string? DescendantText(this XElement element, string localName) => element.Descendant(localName)?.Value.Trim();

    /// <summary>An attribute by local name, whatever its prefix.</summary>
    public static string? AttributeValue(this XElement element, string localName) =>
        element.Attributes().FirstOrDefault(a => a.Name.LocalName == localName)?.Value;
}
