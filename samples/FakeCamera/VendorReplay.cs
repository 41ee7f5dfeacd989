using System.Xml.Linq;
using CameraHub.StreamBroker.Onvif;
using Microsoft.AspNetCore.Http;

namespace CameraHub.FakeCamera;

/// <summary>
/// Plays a real device back from its captured answers (onvif-fixtures): the bytes, HTTP status and content type as
/// that vendor sends them, including an HTML 401 for unauthenticated calls and its own fault for unknown actions.
/// Files are named VENDOR_MODEL_[media1_|media2_|recording_|ptz_]Operation[...].xml (see the fixtures' SOURCES.md).
/// </summary>
public sealed class VendorReplay
{
    private readonly Dictionary<string, string> _answers = new(StringComparer.Ordinal);
    private string? _unauthorized;
    private string? _unknownAction;
    private string? _probeMatches;

    private VendorReplay(string device) => Device = device;

    /// <summary>The fixture prefix this replay plays, e.g. "easy_onvif/hikvision-oem_ENP1A14_".</summary>
    public string Device { get; }

    /// <summary>The captured operations this replay can answer, e.g. "GetDeviceInformation", "media2_GetProfiles".</summary>
    public IReadOnlyCollection<string> Operations => _answers.Keys;

    /// <summary>The device's captured WS-Discovery ProbeMatches, when there is one.</summary>
    public string? ProbeMatches => _probeMatches is null ? null : File.ReadAllText(_probeMatches);

    /// <summary>Loads the files of one device: <paramref name="directory"/>/<paramref name="prefix"/>*.</summary>
    public static VendorReplay Load(string directory, string prefix)
    {
        var replay = new VendorReplay(prefix);
        var folder = Path.Combine(directory, Path.GetDirectoryName(prefix) ?? string.Empty);
        var filePrefix = Path.GetFileName(prefix);
        foreach (var file in Directory.EnumerateFiles(folder, filePrefix + "*").Order(StringComparer.Ordinal))
        {
            var rest = Path.GetFileNameWithoutExtension(file)[filePrefix.Length..];
            var words = rest.Split('_');
            if (words.Contains("REQUEST"))
            {
                continue;
            }

            if (words.Contains("401"))
            {
                replay._unauthorized = file;
            }
            else if (words.Contains("ProbeMatches"))
            {
                replay._probeMatches ??= file;
            }
            else if (words[0] == "Fault")
            {
                if (words.Any(w => w is "UnknownAction" or "ActionNotSupported" or "MethodNotImplemented"))
                {
                    replay._unknownAction = file;
                }
            }
            else
            {
                var service = words[0] is "media1" or "media2" or "recording" or "ptz" ? words[0] + "_" : string.Empty;
                var operation = words.FirstOrDefault(w => w.StartsWith("Get", StringComparison.Ordinal));
                if (operation is not null)
                {
                    replay._answers.TryAdd(service + operation, file);
                }
            }
        }

        return replay;
    }

    public async Task HandleAsync(HttpContext http, OnvifCredentials expected)
    {
        string text;
        using (var reader = new StreamReader(http.Request.Body))
        {
            text = await reader.ReadToEndAsync(http.RequestAborted);
        }

        XElement? request;
        XElement? envelope;
        try
        {
            envelope = SoapEnvelope.ParseXml("request", text).Root;
            request = envelope?.Child("Body")?.Elements().FirstOrDefault();
        }
        catch (OnvifProtocolException)
        {
            envelope = null;
            request = null;
        }

        if (request is null || envelope is null)
        {
            await SendAsync(http, _unknownAction, 400);
            return;
        }

        // A device with a captured 401 demanded credentials even for GetSystemDateAndTime; replay that strictness.
        if (_unauthorized is not null && !Authenticated(envelope, expected))
        {
            await SendAsync(http, _unauthorized, 401);
            return;
        }

        var key = ServicePrefix(request.Name.Namespace) + request.Name.LocalName;
        if (_answers.TryGetValue(key, out var file))
        {
            await SendAsync(http, file, 200);
            return;
        }

        await SendAsync(http, _unknownAction, null);
    }

    private static bool Authenticated(XElement envelope, OnvifCredentials expected) =>
        WsSecurity.ReadToken(envelope) is { } token && token.Username == expected.Username && token.Created is not null
        && token.Password == WsSecurity.Digest(token.Nonce, token.Created, expected.Password);

    private static string ServicePrefix(XNamespace ns) =>
        ns == OnvifNamespaces.Media ? "media1_"
        : ns == OnvifNamespaces.Media2 ? "media2_"
        : ns == OnvifNamespaces.Recording ? "recording_"
        : ns == OnvifNamespaces.Ptz ? "ptz_"
        : string.Empty;

    private static async Task SendAsync(HttpContext http, string? file, int? status)
    {
        if (file is null)
        {
            // No captured fault for this device: answer as the ONVIF core spec says, Receiver/ActionNotSupported.
            http.Response.StatusCode = 500;
            http.Response.ContentType = "application/soap+xml; charset=utf-8";
            await http.Response.WriteAsync(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:ter=\"http://www.onvif.org/ver10/error\"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>ter:ActionNotSupported</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">Action not captured for this device</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>",
                http.RequestAborted);
            return;
        }

        var bytes = await File.ReadAllBytesAsync(file, http.RequestAborted);
        // Captured faults carry their own code: Sender faults came with 400, Receiver faults with 500.
        http.Response.StatusCode = status ?? (System.Text.Encoding.UTF8.GetString(bytes).Contains(":Receiver<", StringComparison.Ordinal) ? 500 : 400);
        http.Response.ContentType = file.EndsWith(".html", StringComparison.Ordinal) ? "text/html" : "application/soap+xml; charset=utf-8";
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
    }
}
