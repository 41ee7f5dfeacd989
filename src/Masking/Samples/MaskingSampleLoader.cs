using System.Text.Json;
using CameraHub.Masking.Calibration;
using Microsoft.Extensions.Logging;

namespace CameraHub.Masking.Samples;

/// <summary>Loads the sample city's calibrations (samples/goteborg/calibrations/*.json) into an empty store, for demo mode.</summary>
public sealed class MaskingSampleLoader(CalibrationStore store, History.MaskHistory history, CameraRegistry.Cameras.ICameraDirectory cameras, ILogger<MaskingSampleLoader> logger)
{
    /// <summary>Loads every calibration under <paramref name="directory"/>/calibrations when none is stored; returns how many.</summary>
    public async Task<int> LoadIfEmptyAsync(string directory, CancellationToken ct)
    {
        var folder = Path.Combine(directory, "calibrations");
        if (!Directory.Exists(folder) || !await store.IsEmptyAsync(ct))
        {
            return 0;
        }

        var loaded = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            await using var stream = File.OpenRead(file);
            var calibration = await JsonSerializer.DeserializeAsync<CameraCalibration>(stream, JsonSerializerOptions.Web, ct)
                ?? throw new InvalidDataException($"{file} is empty");
            // A bad sample is a bug in the samples: refuse loudly rather than demo a wrong mask.
            await store.SaveAsync(calibration, ct);
            if (await cameras.FindAsync(calibration.CameraId, ct) is { } camera)
            {
                await history.CurrentAsync(camera, ct, "sample-city", "calibration changed");
            }

            loaded++;
        }

        logger.LogInformation("Loaded {Count} sample calibrations from {Folder}", loaded, folder);
        return loaded;
    }
}
