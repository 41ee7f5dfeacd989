using System.Globalization;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif.Media2;

/// <summary>tr2:Mask and tr2:MaskOptions to and from XML, prefix-agnostic on the way in (devices choose their prefixes).</summary>
public static class OnvifMaskXml
{
    private static readonly XNamespace Tr2 = OnvifNamespaces.Media2;
    private static readonly XNamespace Tt = OnvifNamespaces.Schema;

    /// <summary>A tr2:Mask element in schema order: ConfigurationToken, Polygon, Type, Color, Enabled.</summary>
    public static XElement Mask(XName name, OnvifMask mask) => new(name,
        mask.Token is null ? null : new XAttribute("token", mask.Token),
        new XElement(Tr2 + "ConfigurationToken", mask.ConfigurationToken),
        new XElement(Tr2 + "Polygon", mask.Polygon.Select(p =>
            new XElement(Tt + "Point", new XAttribute("x", OnvifMaskClient.Number(p.X)), new XAttribute("y", OnvifMaskClient.Number(p.Y))))),
        new XElement(Tr2 + "Type", mask.Type),
        mask.Color is { } c ? Color(Tr2 + "Color", c) : null,
        new XElement(Tr2 + "Enabled", mask.Enabled ? "true" : "false"));

    public static XElement Color(XName name, OnvifColor c) => new(name,
        new XAttribute("X", OnvifMaskClient.Number(c.X)), new XAttribute("Y", OnvifMaskClient.Number(c.Y)), new XAttribute("Z", OnvifMaskClient.Number(c.Z)),
        c.Colorspace is null ? null : new XAttribute("Colorspace", c.Colorspace));

    /// <summary>GetMasksResponse: every Masks element.</summary>
    public static IReadOnlyList<OnvifMask> Masks(XElement response) => [.. response.Children("Masks").Select(ReadMask)];

    /// <summary>One tr2:Mask; a mask without its required parts is a protocol error naming what is missing.</summary>
    public static OnvifMask ReadMask(XElement mask)
    {
        var configuration = mask.ChildText("ConfigurationToken")?.Trim();
        var points = mask.Child("Polygon")?.Children("Point").Select(p => new OnvifVector(Float(p, "x"), Float(p, "y"))).ToList();
        var type = mask.ChildText("Type")?.Trim();
        if (string.IsNullOrEmpty(configuration) || points is null || points.Count < 3 || string.IsNullOrEmpty(type))
        {
            throw new OnvifProtocolException("GetMasks",
                $"mask '{mask.AttributeValue("token")}' lacks its ConfigurationToken, a Polygon of at least three points or its Type");
        }

        return new OnvifMask(mask.AttributeValue("token"), configuration, points, type,
            mask.Child("Color") is { } color ? ReadColor(color) : null,
            mask.ChildText("Enabled")?.Trim() is "true" or "1");
    }

    /// <summary>GetMaskOptionsResponse/Options.</summary>
    public static OnvifMaskOptions Options(XElement response)
    {
        var options = response.Child("Options") ?? throw new OnvifProtocolException("GetMaskOptions", "the answer has no Options");
        var maxMasks = Int(options, "MaxMasks");
        var maxPoints = Int(options, "MaxPoints");
        var colour = options.Child("Color");
        return new OnvifMaskOptions(
            maxMasks, maxPoints,
            [.. options.Children("Types").Select(t => t.Value.Trim()).Where(t => t.Length > 0)],
            colour is null ? [] : [.. colour.Children("ColorList").Select(ReadColor)],
            colour?.Child("ColorspaceRange") is not null,
            options.AttributeValue("RectangleOnly")?.Trim() is "true" or "1",
            options.AttributeValue("SingleColorOnly")?.Trim() is "true" or "1");
    }

    private static OnvifColor ReadColor(XElement c) => new(Float(c, "X"), Float(c, "Y"), Float(c, "Z"), c.AttributeValue("Colorspace"));

    private static double Float(XElement element, string attribute) =>
        double.TryParse(element.AttributeValue(attribute), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new OnvifProtocolException("Media2 masks", $"{element.Name.LocalName} has no number in its '{attribute}' attribute");

    private static int Int(XElement options, string child) =>
        int.TryParse(options.ChildText(child)?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new OnvifProtocolException("GetMaskOptions", $"Options has no whole number in {child}");
}
