using CameraHub.Masking.Calibration;

namespace CameraHub.Masking.Tests;

/// <summary>A temp folder per test, removed afterwards; and the real clips the tests use.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "camerahub-masking-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class TestMedia
{
    private const string VtestPath = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    /// <summary>OpenCV's street clip (768×576, 10 fps, pedestrians); decompressed into <paramref name="folder"/> when packaged as .gz.</summary>
    public static string Vtest(TempFolder folder)
    {
        if (System.IO.File.Exists(VtestPath))
        {
            return VtestPath;
        }

        var target = folder.File("vtest.avi");
        using var gz = new System.IO.Compression.GZipStream(System.IO.File.OpenRead(VtestPath + ".gz"), System.IO.Compression.CompressionMode.Decompress);
        using var output = System.IO.File.Create(target);
        gz.CopyTo(output);
        return target;
    }

    /// <summary>
    /// A plausible ground plane for vtest.avi: a camera 9 m up, tilted 35° down, focal length 700 px, looking across
    /// the square; and a hypothetical façade across the path 17.5 m out, the building beyond it.
    /// </summary>
    public static CameraCalibration VtestCalibration() => new()
    {
        CameraId = "VTEST",
        Points =
        [
            new(215.63, 260.32, -4, 14), new(552.37, 260.32, 4, 14), new(200.64, 200.78, -5, 17),
            new(567.36, 200.78, 5, 17), new(384, 209.61, 0, 16.5), new(520.35, 297.21, 3, 12.5),
        ],
        Facade = [[30, 17.5], [-30, 17.5]],
        ImageWidth = 768,
        ImageHeight = 576,
    };
}
