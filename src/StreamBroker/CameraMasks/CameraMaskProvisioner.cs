using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Media2;
using CameraHub.StreamBroker.Onvif.Probing;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>What provisioning left on the camera: its masks and the fill's luma, or why the hub masks instead.</summary>
public sealed record Provisioning(bool Done, string Reason, int? FillLuma, CameraMaskPlan? Plan);

/// <summary>
/// Puts a profile's mask on a camera through ONVIF Media2 (docs/design/masking.md, "Masked at the camera"): checks
/// the Mask capability and options, plans grow-only polygons within the camera's limits (<see cref="CameraMaskGeometry"/>),
/// replaces the configuration's masks with them (nothing is sent when the camera already holds exactly those).
/// </summary>
public sealed class CameraMaskProvisioner(OnvifClientFactory clients, ILogger<CameraMaskProvisioner> logger)
{
    /// <summary>Whether the camera offers solid-colour Media2 masks: null when it does, else why not (asked before any snapshot is taken).</summary>
    public async Task<string?> RefusalAsync(CameraSource camera, CancellationToken ct) => (await ConnectAsync(camera, ct)).Refusal;

    public async Task<Provisioning> ProvisionAsync(
        CameraSource camera, byte[] obscure, int width, int height, double maxKeptLoss, CancellationToken ct)
    {
        var (masks, configuration, options, refusal) = await ConnectAsync(camera, ct);
        if (refusal is not null)
        {
            return new Provisioning(false, refusal, null, null);
        }

        var plan = CameraMaskGeometry.Plan(camera.Masking, obscure, width, height, options!, maxKeptLoss);
        if (!plan.Fits)
        {
            return new Provisioning(false, plan.Refusal!, null, plan);
        }

        try
        {
            var colour = Fill(options!);
            var wanted = plan.Polygons.Select(p => new OnvifMask(null, configuration!, p, OnvifMaskTypes.Color, colour, true)).ToList();
            var existing = await masks!.GetMasksAsync(configuration, ct);
            if (!Same(existing, wanted))
            {
                foreach (var mask in existing.Where(m => m.Token is not null))
                {
                    await masks.DeleteMaskAsync(mask.Token!, ct);
                }

                foreach (var mask in wanted)
                {
                    await masks.CreateMaskAsync(mask, ct);
                }

                logger.LogInformation("Camera {Camera}: {Count} privacy masks provisioned ({Method}, {Loss:P1} of the kept area hidden too)",
                    camera.Id, wanted.Count, plan.Method, plan.KeptLoss);
            }

            return new Provisioning(true, $"{wanted.Count} masks on the camera ({plan.Method})", Luma(colour), plan);
        }
        catch (OnvifException e)
        {
            return new Provisioning(false, $"the camera refused its masks: {e.Message}", null, plan);
        }
    }

    private async Task<(OnvifMaskClient? Masks, string? Configuration, OnvifMaskOptions? Options, string? Refusal)> ConnectAsync(CameraSource camera, CancellationToken ct)
    {
        if (!Uri.TryCreate(camera.OnvifUrl, UriKind.Absolute, out var deviceUri))
        {
            return (null, null, null, "the camera has no ONVIF address");
        }

        var credentials = camera.Username is { Length: > 0 } user ? new OnvifCredentials(user, camera.Password ?? string.Empty) : null;
        var client = clients.Create(deviceUri, credentials);
        try
        {
            try
            {
                await client.GetSystemDateAndTimeAsync(ct);
            }
            catch (OnvifFaultException)
            {
                // tokens go by our clock then
            }

            var services = await client.GetServiceAddressesAsync(ct);
            if (services.Media2 is not { } media2)
            {
                return (null, null, null, "the camera offers no Media2 service");
            }

            var masks = new OnvifMaskClient(client, media2);
            try
            {
                if (!await masks.SupportsMasksAsync(ct))
                {
                    return (null, null, null, "the camera's Media2 service does not offer privacy masks");
                }
            }
            catch (OnvifActionNotSupportedException)
            {
                // No GetServiceCapabilities: GetMaskOptions below answers the question.
            }

            var configurations = await masks.VideoSourceConfigurationTokensAsync(ct);
            if (configurations.Count == 0)
            {
                return (null, null, null, "the camera lists no video source configuration");
            }

            var options = await masks.GetMaskOptionsAsync(configurations[0], ct);
            return options.Types.Contains(OnvifMaskTypes.Color, StringComparer.OrdinalIgnoreCase)
                ? (masks, configurations[0], options, null)
                : (null, null, null, $"the camera masks only by {string.Join('/', options.Types)}, not by a solid colour");
        }
        catch (OnvifException e)
        {
            return (null, null, null, $"the camera offers no usable privacy masks: {e.Message}");
        }
    }

    /// <summary>Mid grey, or the listed colour nearest to it.</summary>
    private static OnvifColor Fill(OnvifMaskOptions options) =>
        options.Colors.Count == 0 ? OnvifColor.Grey : options.Colors.MinBy(c => Math.Abs(Luma(c) - 128))!;

    /// <summary>A colour's luma as an 8-bit decoder shows it (YCbCr: its Y; RGB: BT.601).</summary>
    internal static int Luma(OnvifColor c) => string.Equals(c.Colorspace, OnvifColor.Rgb, StringComparison.Ordinal)
        ? (int)Math.Round((0.257 * c.X) + (0.504 * c.Y) + (0.098 * c.Z) + 16)
        : (int)Math.Round(c.X);

    private static bool Same(IReadOnlyList<OnvifMask> existing, List<OnvifMask> wanted) =>
        existing.Count == wanted.Count && existing.Zip(wanted).All(p =>
            p.First.Enabled && p.First.Type == p.Second.Type && p.First.Polygon.Count == p.Second.Polygon.Count
            && p.First.Polygon.Zip(p.Second.Polygon).All(q => Math.Abs(q.First.X - q.Second.X) < 1e-4 && Math.Abs(q.First.Y - q.Second.Y) < 1e-4));
}
