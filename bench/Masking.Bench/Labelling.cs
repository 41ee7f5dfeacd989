using System.Diagnostics;
using System.Globalization;
using System.Text;
using CameraHub.Masking.Calibration;
using OpenCvSharp;

/// <summary>
/// Proposes the evaluation set's person boxes for vtest.avi by background subtraction (MOG2 over the whole clip: the
/// camera is static, people are the moving things), independent of the HOG detector under test. Blobs shaped like one
/// standing person become labels; other moving blobs (groups, bags, half-occluded people) become "ignore" regions so a
/// detection there counts neither for nor against the detector. The proposals are then checked by eye on rendered
/// frames (see tests/Masking.Tests/Evaluation/README.md) and the rejects listed in the CSV's reject file.
/// Usage: CameraHub.Masking.Bench label OUTPUT.csv [PNG-folder]
/// </summary>
internal static class Labelling
{
    private const string Vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    private const int Width = 768;
    private const int Height = 576;
    private const int FirstFrame = 60;
    private const int EveryNth = 5;

    public static async Task RunAsync(string output, string? pngFolder)
    {
        // The evaluation calibration of vtest.avi (tests/Masking.Tests/TestMedia.cs): it gives each foot point the image
        // height of a 1.75 m person, so a blob of two people one behind the other (too tall) is not taken for one.
        var homography = GroundHomography.Fit(
            [new(215.63, 260.32, -4, 14), new(552.37, 260.32, 4, 14), new(200.64, 200.78, -5, 17), new(567.36, 200.78, 5, 17), new(384, 209.61, 0, 16.5), new(520.35, 297.21, 3, 12.5)],
            3, out _)!;
        using var subtractor = BackgroundSubtractorMOG2.Create(history: 300, varThreshold: 25, detectShadows: true);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(5, 5));
        var csv = new StringBuilder("frame,kind,x,y,width,height,foot_x,foot_y\n");
        var frameBytes = Width * Height * 3;
        var buffer = new byte[frameBytes];
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = false };
        foreach (var a in new[] { "-v", "error", "-i", Vtest, "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1" })
        {
            info.ArgumentList.Add(a);
        }

        using var ffmpeg = Process.Start(info)!;
        var stdout = ffmpeg.StandardOutput.BaseStream;
        // Two passes would need the whole clip in memory; one pass learns the background while labelling from frame 60 on.
        for (var index = 0; ; index++)
        {
            var read = await stdout.ReadAtLeastAsync(buffer, frameBytes, throwOnEndOfStream: false);
            if (read < frameBytes)
            {
                break;
            }

            using var frame = Mat.FromPixelData(Height, Width, MatType.CV_8UC3, buffer);
            using var foreground = new Mat();
            subtractor.Apply(frame, foreground);
            if (index < FirstFrame || index % EveryNth != 0)
            {
                continue;
            }

            // 255 = foreground, 127 = shadow: keep foreground only, close the gaps inside a person, drop specks.
            Cv2.Threshold(foreground, foreground, 200, 255, ThresholdTypes.Binary);
            Cv2.MorphologyEx(foreground, foreground, MorphTypes.Open, kernel);
            Cv2.MorphologyEx(foreground, foreground, MorphTypes.Close, kernel, iterations: 3);
            Cv2.Dilate(foreground, foreground, kernel);
            using var labels = new Mat();
            using var stats = new Mat();
            using var centroids = new Mat();
            var count = Cv2.ConnectedComponentsWithStats(foreground, labels, stats, centroids);
            using var shown = frame.Clone();
            for (var c = 1; c < count; c++)
            {
                var x = stats.At<int>(c, 0);
                var y = stats.At<int>(c, 1);
                var w = stats.At<int>(c, 2);
                var h = stats.At<int>(c, 3);
                var area = stats.At<int>(c, 4);
                if (area < 150 || h < 25)
                {
                    continue; // specks, leaves, noise
                }

                var ratio = (double)h / w;
                var expected = ExpectedHeight(homography, x + (w / 2.0), y + h);
                var person = ratio is >= 1.6 and <= 4.2 && h >= 40 && (double)area / (w * h) >= 0.35 && h >= 0.7 * expected && h <= 1.35 * expected;
                var kind = person ? "person" : "ignore";
                csv.Append(CultureInfo.InvariantCulture, $"{index},{kind},{x},{y},{w},{h},{x + (w / 2)},{y + h}\n");
                Cv2.Rectangle(shown, new Rect(x, y, w, h), person ? Scalar.LimeGreen : Scalar.Orange, 1);
                Cv2.PutText(shown, $"{index}:{c}", new Point(x, Math.Max(10, y - 2)), HersheyFonts.HersheyPlain, 0.8, person ? Scalar.LimeGreen : Scalar.Orange);
            }

            if (pngFolder is not null)
            {
                Directory.CreateDirectory(pngFolder);
                Cv2.ImWrite(Path.Combine(pngFolder, $"frame{index:000}.png"), shown);
            }
        }

        await ffmpeg.WaitForExitAsync();
        await ffmpeg.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await File.WriteAllTextAsync(output, csv.ToString());
        Console.WriteLine($"{csv.ToString().Split('\n').Count(l => l.Contains(",person,", StringComparison.Ordinal))} person boxes written to {output}");
    }

    private static double ExpectedHeight(GroundHomography h, double footX, double footY) =>
        h.ToGround(footX, footY) is { } g && h.ToGround(footX + 1, footY) is { } r
            ? 1.75 / Math.Sqrt(((r.X - g.X) * (r.X - g.X)) + ((r.Y - g.Y) * (r.Y - g.Y)))
            : double.NaN;
}
