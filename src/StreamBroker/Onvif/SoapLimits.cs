using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>
/// How much XML a device may send in one answer. Real answers are shallow (the deepest capture, a GetEventProperties
/// topic tree, is 14 levels) and small (a 58-message PullMessages is ~60 KiB); a hostile one can be neither.
/// </summary>
public sealed record SoapLimits(int MaxBytes, int MaxDepth, int MaxElements)
{
    /// <summary>4 MiB, 64 levels, 100,000 elements: two orders of magnitude above any real capture.</summary>
    public static SoapLimits Default { get; } = new(4 * 1024 * 1024, 64, 100_000);
}

/// <summary>An answer that broke one of the <see cref="SoapLimits"/>; the message names the limit and its value.</summary>
public sealed class OnvifLimitException(string operation, string limit, long value, string message)
    : OnvifException(operation, message)
{
    /// <summary>"bytes", "depth" or "elements".</summary>
    public string Limit { get; } = limit;

    /// <summary>The limit's value that was exceeded.</summary>
    public long LimitValue { get; } = value;
}

/// <summary>
/// Builds an <see cref="XDocument"/> from untrusted text one node at a time, refusing before the tree grows past the
/// limits: <c>XDocument.Load</c> itself has no depth limit and slows quadratically with nesting (150,000 levels took
/// 27 s of one core). The token is checked as it goes so parsing counts against the call's time limit.
/// </summary>
internal static class LimitedXmlLoader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        // Devices are untrusted input: no DTDs (HTML error pages carry one) and no external entities.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    public static XDocument Load(string operation, string text, SoapLimits limits, CancellationToken ct)
    {
        using var reader = XmlReader.Create(new StringReader(text), Settings);
        var document = new XDocument();
        XContainer current = document;
        var elements = 0;
        var nodes = 0;
        while (reader.Read())
        {
            if ((++nodes & 1023) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (reader.Depth >= limits.MaxDepth)
                    {
                        throw new OnvifLimitException(operation, "depth", limits.MaxDepth, string.Create(CultureInfo.InvariantCulture,
                            $"the answer nests elements deeper than {limits.MaxDepth} levels (line {LineOf(reader)}); refused before parsing further"));
                    }

                    if (++elements > limits.MaxElements)
                    {
                        throw new OnvifLimitException(operation, "elements", limits.MaxElements, string.Create(CultureInfo.InvariantCulture,
                            $"the answer has more than {limits.MaxElements} elements; refused before parsing further"));
                    }

                    var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
                    while (reader.MoveToNextAttribute())
                    {
                        element.Add(new XAttribute(AttributeName(reader), reader.Value));
                    }

                    reader.MoveToElement();
                    current.Add(element);
                    if (!reader.IsEmptyElement)
                    {
                        current = element;
                    }

                    break;
                case XmlNodeType.EndElement:
                    current = current.Parent ?? (XContainer)document;
                    break;
                case XmlNodeType.Text:
                case XmlNodeType.SignificantWhitespace:
                    current.Add(new XText(reader.Value));
                    break;
                case XmlNodeType.CDATA:
                    current.Add(new XCData(reader.Value));
                    break;
                case XmlNodeType.Whitespace when current is XElement:
                    current.Add(new XText(reader.Value));
                    break;
                default:
                    break;
            }
        }

        return document;
    }

    private static XName AttributeName(XmlReader reader) =>
        reader.Prefix == "xmlns" ? XNamespace.Xmlns + reader.LocalName
        : reader.Prefix.Length == 0 && reader.LocalName == "xmlns" ? "xmlns"
        : XName.Get(reader.LocalName, reader.NamespaceURI);

    private static int LineOf(XmlReader reader) => reader is IXmlLineInfo info ? info.LineNumber : 0;
}

/// <summary>Reads a device's answer body without ever holding more than the byte limit.</summary>
internal static class LimitedBody
{
    public static async Task<string> ReadAsync(HttpResponseMessage response, string operation, int maxBytes, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength is { } announced && announced > maxBytes)
        {
            throw TooLarge(operation, maxBytes, $"announces {announced} bytes");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(operation, maxBytes, "goes on past it");
            }

            buffer.Write(chunk, 0, read);
        }

        // A byte-order mark decodes to U+FEFF, which the XML reader would take for text before the root.
        return EncodingOf(response).GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimStart('\uFEFF');
    }

    private static OnvifLimitException TooLarge(string operation, int maxBytes, string what) =>
        new(operation, "bytes", maxBytes, string.Create(CultureInfo.InvariantCulture,
            $"the answer is larger than the {maxBytes / 1024} KiB limit (it {what}); refused without reading the rest"));

    private static System.Text.Encoding EncodingOf(HttpResponseMessage response)
    {
        var charset = response.Content.Headers.ContentType?.CharSet?.Trim('"');
        try
        {
            return string.IsNullOrEmpty(charset) ? System.Text.Encoding.UTF8 : System.Text.Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            // An unknown charset label is the device's mistake; UTF-8 is what ONVIF mandates anyway.
            return System.Text.Encoding.UTF8;
        }
    }
}
