using System.Xml.Linq;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Media2;

namespace CameraHub.FakeCamera;

/// <summary>
/// The fake camera's Media2 privacy masks (GetServiceCapabilities, GetMaskOptions, GetMasks, CreateMask, DeleteMask)
/// with the faults the Media2 specification names, stored in memory. With <see cref="FakeMaskSupport.Applied"/> every
/// change is drawn into the RTSP picture; with <see cref="FakeMaskSupport.ClaimedOnly"/> the camera keeps the masks but
/// shows everything, as a camera that lies about its masks would.
/// </summary>
public sealed class FakeMedia2Masks(FakeCameraOptions options, Func<IReadOnlyList<OnvifMask>, CancellationToken, Task> draw)
{
    public const string ConfigurationToken = "VideoSourceConfig_1";

    private static readonly XNamespace Tr2 = OnvifNamespaces.Media2;
    private static readonly XNamespace Tt = OnvifNamespaces.Schema;
    private readonly Lock _gate = new();
    private readonly List<OnvifMask> _masks = [];
    private int _next;

    /// <summary>The masks the camera holds now.</summary>
    public IReadOnlyList<OnvifMask> Masks
    {
        get
        {
            lock (_gate)
            {
                return [.. _masks];
            }
        }
    }

    /// <summary>How many CreateMask calls succeeded (tests see whether the hub provisioned again).</summary>
    public int Created { get; private set; }

    /// <summary>True once <see cref="StopApplyingAsync"/> made the camera show everything while it still answers with its masks.</summary>
    public bool StoppedApplying { get; private set; }

    /// <summary>
    /// From now on the camera keeps its masks and still lists them, but its picture shows everything — a camera whose
    /// firmware lost its masks (a reboot, an update) between two of the hub's verifications.
    /// </summary>
    public Task StopApplyingAsync(CancellationToken ct)
    {
        StoppedApplying = true;
        return options.PrivacyMasks == FakeMaskSupport.Applied ? draw([], ct) : Task.CompletedTask;
    }

    /// <summary>The answer to a Media2 mask operation, or null when the request is not one.</summary>
    public async Task<(int Status, XElement Body)?> AnswerAsync(XElement request, CancellationToken ct)
    {
        if (request.Name.Namespace != Tr2)
        {
            return null;
        }

        switch (request.Name.LocalName)
        {
            case "GetServiceCapabilities":
                return (200, new XElement(Tr2 + "GetServiceCapabilitiesResponse",
                    new XElement(Tr2 + "Capabilities", new XAttribute("SnapshotUri", "true"), new XAttribute("Mask", "true"),
                        new XElement(Tr2 + "ProfileCapabilities", new XAttribute("MaximumNumberOfProfiles", 4)),
                        new XElement(Tr2 + "StreamingCapabilities", new XAttribute("RTSPStreaming", "true")))));
            case "GetMaskOptions":
                return request.ChildText("ConfigurationToken")?.Trim() != ConfigurationToken
                    ? NoConfig("the video source configuration does not exist")
                    : (200, Options());
            case "GetMasks":
                {
                    var configuration = request.ChildText("ConfigurationToken")?.Trim();
                    if (configuration is not null && configuration != ConfigurationToken)
                    {
                        return NoConfig("the video source configuration does not exist");
                    }

                    return (200, new XElement(Tr2 + "GetMasksResponse", Masks.Select(m => OnvifMaskXml.Mask(Tr2 + "Masks", m))));
                }

            case "CreateMask":
                return await CreateAsync(request, ct);
            case "DeleteMask":
                {
                    var token = request.ChildText("Token")?.Trim();
                    lock (_gate)
                    {
                        if (_masks.RemoveAll(m => m.Token == token) == 0)
                        {
                            return NoConfig($"no mask with token '{token}'");
                        }
                    }

                    await DrawAsync(ct);
                    return (200, new XElement(Tr2 + "DeleteMaskResponse"));
                }

            default:
                return null;
        }
    }

    private XElement Options() => new(Tr2 + "GetMaskOptionsResponse",
        new XElement(Tr2 + "Options", new XAttribute("RectangleOnly", "false"), new XAttribute("SingleColorOnly", "false"),
            new XElement(Tr2 + "MaxMasks", options.MaxMasks),
            new XElement(Tr2 + "MaxPoints", options.MaxMaskPoints),
            new XElement(Tr2 + "Types", OnvifMaskTypes.Color),
            new XElement(Tr2 + "Color",
                OnvifMaskXml.Color(Tt + "ColorList", OnvifColor.Grey),
                OnvifMaskXml.Color(Tt + "ColorList", new OnvifColor(16, 128, 128, OnvifColor.YCbCr)))));

    private async Task<(int Status, XElement Body)> CreateAsync(XElement request, CancellationToken ct)
    {
        OnvifMask mask;
        try
        {
            mask = OnvifMaskXml.ReadMask(request.Child("Mask") ?? throw new OnvifProtocolException("CreateMask", "no Mask"));
        }
        catch (OnvifProtocolException e)
        {
            return (400, SimulatedDevice.Fault("Sender", ["ter:InvalidArgVal", "ter:InvalidPolygon"], e.Message));
        }

        if (mask.ConfigurationToken != ConfigurationToken)
        {
            return NoConfig("the video source configuration does not exist");
        }

        if (mask.Polygon.Count > options.MaxMaskPoints || mask.Polygon.Any(p => Math.Abs(p.X) > 1 || Math.Abs(p.Y) > 1))
        {
            return (500, SimulatedDevice.Fault("Receiver", ["ter:InvalidArgVal", "ter:InvalidPolygon"],
                $"the polygon has {mask.Polygon.Count} points (at most {options.MaxMaskPoints}) or a point outside -1..1"));
        }

        string token;
        lock (_gate)
        {
            if (_masks.Count >= options.MaxMasks)
            {
                return (500, SimulatedDevice.Fault("Receiver", ["ter:Action", "ter:MaxMasks"], $"at most {options.MaxMasks} masks per configuration"));
            }

            token = $"Mask_{++_next}";
            _masks.Add(mask with { Token = token });
            Created++;
        }

        await DrawAsync(ct);
        return (200, new XElement(Tr2 + "CreateMaskResponse", new XElement(Tr2 + "Token", token)));
    }

    private Task DrawAsync(CancellationToken ct) =>
        options.PrivacyMasks == FakeMaskSupport.Applied && !StoppedApplying ? draw([.. Masks.Where(m => m.Enabled)], ct) : Task.CompletedTask;

    private static (int, XElement) NoConfig(string reason) =>
        (400, SimulatedDevice.Fault("Sender", ["ter:InvalidArgVal", "ter:NoConfig"], reason));

    /// <summary>RGB of a tt:Color (YCbCr by default, BT.601 limited range as cameras encode).</summary>
    public static (int R, int G, int B) Rgb(OnvifColor? color)
    {
        var c = color ?? OnvifColor.Grey;
        if (string.Equals(c.Colorspace, OnvifColor.Rgb, StringComparison.Ordinal))
        {
            return (Byte(c.X), Byte(c.Y), Byte(c.Z));
        }

        double y = c.X - 16, cb = c.Y - 128, cr = c.Z - 128;
        return (Byte((1.164 * y) + (1.596 * cr)), Byte((1.164 * y) - (0.392 * cb) - (0.813 * cr)), Byte((1.164 * y) + (2.017 * cb)));
    }

    private static int Byte(double v) => (int)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), 0, 255);
}
