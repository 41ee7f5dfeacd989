using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>
/// Builds SOAP 1.2 requests and turns any answer a device gives (SOAP, a fault, HTML, garbage) into either the
/// response element or a typed <see cref="OnvifException"/>. Reads by namespace and local name, never by prefix.
/// </summary>
public static partial class SoapEnvelope
{
    /// <summary>A SOAP 1.2 envelope around <paramref name="body"/>, with an optional security header.</summary>
    public static string Build(XElement body, XElement? securityHeader = null, IEnumerable<XElement>? otherHeaders = null)
    {
        var s = OnvifNamespaces.Soap12;
        var envelope = new XElement(s + "Envelope",
            new XAttribute(XNamespace.Xmlns + "s", s.NamespaceName),
            new XElement(s + "Header", securityHeader, otherHeaders?.Select(h => new XElement(h))),
            new XElement(s + "Body", body));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), envelope).ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>Parses text that should be XML without letting an <see cref="XmlException"/> escape.</summary>
    /// <remarks>DTDs are refused and <paramref name="limits"/> (default <see cref="SoapLimits.Default"/>) are enforced while reading.</remarks>
    public static XDocument ParseXml(
        string operation, string text, int? httpStatus = null, string? contentType = null, SoapLimits? limits = null, CancellationToken ct = default)
    {
        try
        {
            return LimitedXmlLoader.Load(operation, text, limits ?? SoapLimits.Default, ct);
        }
        catch (XmlException e)
        {
            var what = httpStatus is { } status ? $"HTTP {status} ({contentType ?? "no content type"})" : "the answer";
            if (httpStatus == 401)
            {
                throw new OnvifNotAuthorizedException(operation, TextOf(text), null);
            }

            var message = LooksLikeHtml(text)
                ? $"{what} is an HTML page, not SOAP: \"{TextOf(text)}\""
                : e.Message.Contains("DTD", StringComparison.Ordinal)
                ? $"{what} carries a DTD (document type declaration), which is refused: device answers have no use for one and it is how entity bombs arrive"
                : $"{what} is not well-formed XML (line {e.LineNumber}, position {e.LinePosition}: {e.Message})";
            throw new OnvifProtocolException(operation, message, e) { HttpStatus = httpStatus };
        }
    }

    /// <summary>
    /// The first element inside the SOAP Body of a device's answer, or the typed error the answer amounts to.
    /// <paramref name="expectedLocalName"/> (e.g. "GetProfilesResponse") guards against devices that echo the request.
    /// </summary>
    public static XElement ReadResponse(
        string operation, int httpStatus, string? contentType, string text, string? expectedLocalName = null, SoapLimits? limits = null, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (httpStatus == 401)
            {
                throw new OnvifNotAuthorizedException(operation, "HTTP 401 with an empty body", null);
            }

            throw new OnvifProtocolException(operation, $"HTTP {httpStatus} with an empty body") { HttpStatus = httpStatus };
        }

        XDocument document;
        try
        {
            document = ParseXml(operation, text, httpStatus, contentType, limits, ct);
        }
        catch (OnvifProtocolException) when (httpStatus == 401)
        {
            // EZVIZ and other Hikvision-family firmware answer with an HTML page: still a refusal, in the device's words.
            throw new OnvifNotAuthorizedException(operation, TextOf(text), null);
        }

        var root = document.Root!;
        if (root.Name.LocalName != "Envelope" || (root.Name.Namespace != OnvifNamespaces.Soap12 && root.Name.Namespace != OnvifNamespaces.Soap11))
        {
            if (httpStatus == 401)
            {
                throw new OnvifNotAuthorizedException(operation, TextOf(text), null);
            }

            var message = LooksLikeHtml(text)
                ? $"HTTP {httpStatus} ({contentType ?? "no content type"}) is an HTML page, not SOAP: \"{TextOf(text)}\""
                : $"HTTP {httpStatus}: expected a SOAP Envelope, got <{root.Name.LocalName}>";
            throw new OnvifProtocolException(operation, message) { HttpStatus = httpStatus };
        }

        var payload = root.Child("Body")?.Elements().FirstOrDefault();
        if (payload is null)
        {
            if (httpStatus == 401)
            {
                throw new OnvifNotAuthorizedException(operation, "HTTP 401 with an empty SOAP body", null);
            }

            throw new OnvifProtocolException(operation, $"HTTP {httpStatus}: the SOAP Body is empty") { HttpStatus = httpStatus };
        }

        if (payload.Name.LocalName == "Fault")
        {
            throw FaultException(operation, ReadFault(payload), httpStatus);
        }

        if (httpStatus is < 200 or > 299)
        {
            if (httpStatus == 401)
            {
                throw new OnvifNotAuthorizedException(operation, $"HTTP 401 with <{payload.Name.LocalName}>", null);
            }

            throw new OnvifProtocolException(operation, $"HTTP {httpStatus} with <{payload.Name.LocalName}> instead of a fault") { HttpStatus = httpStatus };
        }

        if (expectedLocalName is not null && payload.Name.LocalName != expectedLocalName)
        {
            throw new OnvifProtocolException(operation, $"expected <{expectedLocalName}>, got <{payload.Name.LocalName}>") { HttpStatus = httpStatus };
        }

        return payload;
    }

    /// <summary>Reads a SOAP 1.2 fault (Code/Value, nested Subcodes, Reason/Text) or a SOAP 1.1 one (faultcode, faultstring).</summary>
    public static OnvifFault ReadFault(XElement fault)
    {
        var code = fault.Child("Code");
        if (code is null)
        {
            return new OnvifFault(fault.ChildText("faultcode") ?? "Unknown", [], fault.ChildText("faultstring")?.Trim() ?? string.Empty);
        }

        var subcodes = new List<string>();
        for (var sub = code.Child("Subcode"); sub is not null; sub = sub.Child("Subcode"))
        {
            if (sub.ChildText("Value") is { } value)
            {
                subcodes.Add(value.Trim());
            }
        }

        var reason = fault.Child("Reason")?.Elements().FirstOrDefault(e => e.Name.LocalName == "Text")?.Value.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            // Axis sends an empty Reason and says what went wrong by the Detail's element (SubscribeCreationFailedFault).
            var detail = fault.Child("Detail");
            reason = detail?.Elements().FirstOrDefault()?.Name.LocalName ?? detail?.Value.Trim() ?? string.Empty;
        }

        return new OnvifFault(code.ChildText("Value")?.Trim() ?? "Unknown", subcodes, reason);
    }

    private static OnvifException FaultException(string operation, OnvifFault fault, int httpStatus)
    {
        if (fault.Has("NotAuthorized") || fault.Has("FailedAuthentication") || httpStatus == 401)
        {
            return new OnvifNotAuthorizedException(operation, fault.Reason.Length > 0 ? fault.Reason : fault.ToString(), fault);
        }

        // gSOAP devices answer unknown methods with a bare Sender fault "Method 'X' not implemented".
        if (fault.Has("ActionNotSupported") || fault.Reason.Contains("not implemented", StringComparison.OrdinalIgnoreCase))
        {
            return new OnvifActionNotSupportedException(operation, fault, httpStatus) { HttpStatus = httpStatus };
        }

        return new OnvifFaultException(operation, fault, httpStatus) { HttpStatus = httpStatus };
    }

    private static bool LooksLikeHtml(string text)
    {
        var start = text.TrimStart();
        return start.StartsWith("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase) || start.StartsWith("<html", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The readable words of an HTML or text body, for error messages (tags dropped, at most 200 characters).</summary>
    internal static string TextOf(string body)
    {
        var withoutHead = HeadOrScript().Replace(body, " ");
        var text = Whitespace().Replace(Tags().Replace(withoutHead, " "), " ").Trim();
        text = System.Net.WebUtility.HtmlDecode(text);
        return text.Length <= 200 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..200]}…");
    }

    [GeneratedRegex("<(title|script|style)[^>]*>.*?</\\1>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex HeadOrScript();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex("\\s+")]
    private static partial Regex Whitespace();
}
