using System.Globalization;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif.Media2;

/// <summary>
/// Media2 privacy masks (ONVIF Media2 service, ver20/media/wsdl) over one <see cref="OnvifClient"/> — same
/// credentials, clock skew and limits: GetServiceCapabilities (the Mask capability), GetMaskOptions, GetMasks,
/// CreateMask, DeleteMask, and the video source configuration tokens masks belong to. Faults the specification names
/// for these operations come back typed (<see cref="OnvifMaxMasksException"/>, <see cref="OnvifInvalidPolygonException"/>,
/// <see cref="OnvifNoConfigException"/>); every other failure as the client's <see cref="OnvifException"/>s.
/// </summary>
public sealed class OnvifMaskClient(OnvifClient client, Uri media2Service)
{
    private static readonly XNamespace Tr2 = OnvifNamespaces.Media2;

    /// <summary>The Media2 service address (from GetServices, re-based).</summary>
    public Uri Media2Service { get; } = media2Service;

    /// <summary>Whether the Media2 service says it supports masks (Capabilities2/@Mask).</summary>
    public async Task<bool> SupportsMasksAsync(CancellationToken ct)
    {
        var response = await CallAsync("GetServiceCapabilities", new XElement(Tr2 + "GetServiceCapabilities"), ct);
        return response.Child("Capabilities")?.AttributeValue("Mask") is { } mask && Bool(mask);
    }

    /// <summary>The tokens of the video source configurations of the device's profiles (GetProfiles Type=VideoSource), first profile first.</summary>
    public async Task<IReadOnlyList<string>> VideoSourceConfigurationTokensAsync(CancellationToken ct)
    {
        var response = await CallAsync("GetProfiles", new XElement(Tr2 + "GetProfiles", new XElement(Tr2 + "Type", "VideoSource")), ct);
        return [.. response.Children("Profiles")
            .Select(p => p.Child("Configurations")?.Child("VideoSource")?.AttributeValue("token"))
            .OfType<string>().Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    public async Task<OnvifMaskOptions> GetMaskOptionsAsync(string configurationToken, CancellationToken ct) =>
        OnvifMaskXml.Options(await CallAsync("GetMaskOptions",
            new XElement(Tr2 + "GetMaskOptions", new XElement(Tr2 + "ConfigurationToken", configurationToken)), ct));

    /// <summary>The masks of one configuration (all the device's when <paramref name="configurationToken"/> is null).</summary>
    public async Task<IReadOnlyList<OnvifMask>> GetMasksAsync(string? configurationToken, CancellationToken ct) =>
        OnvifMaskXml.Masks(await CallAsync("GetMasks", new XElement(Tr2 + "GetMasks",
            configurationToken is null ? null : new XElement(Tr2 + "ConfigurationToken", configurationToken)), ct));

    /// <summary>Creates a mask; returns the token the device assigned (the device ignores any token sent).</summary>
    public async Task<string> CreateMaskAsync(OnvifMask mask, CancellationToken ct)
    {
        var response = await CallAsync("CreateMask", new XElement(Tr2 + "CreateMask", OnvifMaskXml.Mask(Tr2 + "Mask", mask)), ct);
        return response.ChildText("Token")?.Trim() is { Length: > 0 } token
            ? token
            : throw new OnvifProtocolException("CreateMask", "the answer carries no mask Token");
    }

    public async Task DeleteMaskAsync(string token, CancellationToken ct) =>
        await CallAsync("DeleteMask", new XElement(Tr2 + "DeleteMask", new XElement(Tr2 + "Token", token)), ct);

    private async Task<XElement> CallAsync(string operation, XElement body, CancellationToken ct)
    {
        try
        {
            return await client.CallAsync(Media2Service, $"{Tr2.NamespaceName}/{operation}", body, operation, true, [], null, ct);
        }
        catch (OnvifFaultException e) when (e is not OnvifActionNotSupportedException)
        {
            throw Typed(e) ?? (Exception)e;
        }
    }

    private static OnvifFaultException? Typed(OnvifFaultException e) =>
        e.Fault.Has("MaxMasks") ? new OnvifMaxMasksException(e.Operation, e.Fault, e.FaultHttpStatus) { HttpStatus = e.HttpStatus }
        : e.Fault.Has("InvalidPolygon") ? new OnvifInvalidPolygonException(e.Operation, e.Fault, e.FaultHttpStatus) { HttpStatus = e.HttpStatus }
        : e.Fault.Has("NoConfig") ? new OnvifNoConfigException(e.Operation, e.Fault, e.FaultHttpStatus) { HttpStatus = e.HttpStatus }
        : null;

    private static bool Bool(string value) => value.Trim() is "true" or "1";

    internal static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
