using System.Security.Cryptography;
using OpenCvSharp;

namespace CameraHub.Masking.Masks;

/// <summary>
/// Which pixels of a camera's picture may be shown: one byte per pixel, 255 kept, 0 obscured. Immutable once built;
/// its SHA-256 goes into export manifests so a masked copy can be tied to the exact mask used.
/// </summary>
public sealed class PrivacyMask : IDisposable
{
    public const byte Kept = 255;
    public const byte Obscured = 0;

    private PrivacyMask(Mat keep, Mat obscure, Mat obscureChroma, string sha256, int keptPixels)
    {
        Keep = keep;
        Obscure = obscure;
        ObscureChroma = obscureChroma;
        Sha256 = sha256;
        KeptPixels = keptPixels;
    }

    /// <summary>CV_8UC1, 255 where the pixel is kept.</summary>
    public Mat Keep { get; }

    /// <summary>CV_8UC1, 255 where the pixel is obscured (the complement, kept ready for masked copies).</summary>
    public Mat Obscure { get; }

    /// <summary>
    /// The obscured area at 4:2:0 chroma resolution ((W+1)/2 × (H+1)/2): a chroma sample is obscured when any of
    /// the up to four pixels it colours is, so no colour of an obscured pixel survives in a kept neighbour's sample.
    /// </summary>
    public Mat ObscureChroma { get; }

    public int Width => Keep.Width;
    public int Height => Keep.Height;
    public int KeptPixels { get; }

    /// <summary>
    /// SHA-256 (hex) of the mask bits: the ASCII header "WIDTHxHEIGHT\n" followed by one byte per pixel, row by row,
    /// 1 for kept and 0 for obscured. Anyone with the mask PNG can recompute it.
    /// </summary>
    public string Sha256 { get; }

    /// <summary>Takes ownership of <paramref name="keep"/> (CV_8UC1, 255 kept / 0 obscured).</summary>
    public static PrivacyMask FromKeep(Mat keep)
    {
        if (keep.Type() != MatType.CV_8UC1)
        {
            throw new ArgumentException("a privacy mask is one byte per pixel", nameof(keep));
        }

        Cv2.Threshold(keep, keep, 127, Kept, ThresholdTypes.Binary);
        var obscure = new Mat();
        Cv2.BitwiseNot(keep, obscure);
        // Mats this module creates are continuous; GetArray copies all pixels row by row in one call.
        keep.GetArray(out byte[] bits);
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = bits[i] == Kept ? (byte)1 : (byte)0;
        }

        var obscureChroma = ChromaOf(bits, keep.Width, keep.Height);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.ASCII.GetBytes($"{keep.Width}x{keep.Height}\n"));
        sha.AppendData(bits);
        return new PrivacyMask(keep, obscure, obscureChroma, Convert.ToHexStringLower(sha.GetHashAndReset()), Cv2.CountNonZero(keep));
    }

    /// <summary>A mask that obscures the whole picture (fail-closed).</summary>
    public static PrivacyMask ObscureAll(int width, int height) => FromKeep(new Mat(height, width, MatType.CV_8UC1, Scalar.All(Obscured)));

    /// <summary>A mask that keeps the whole picture (cameras without a masking profile).</summary>
    public static PrivacyMask KeepAll(int width, int height) => FromKeep(new Mat(height, width, MatType.CV_8UC1, Scalar.All(Kept)));

    /// <summary>The mask as a PNG: white kept, black obscured.</summary>
    public byte[] ToPng() => Keep.ImEncode(".png");

    /// <summary>Half-resolution obscure mask from one-per-pixel keep bits (1 kept, 0 obscured).</summary>
    internal static Mat ChromaOf(byte[] keepBits, int width, int height)
    {
        var cw = (width + 1) / 2;
        var ch = (height + 1) / 2;
        var chroma = new byte[cw * ch];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (keepBits[(y * width) + x] == 0)
                {
                    chroma[((y / 2) * cw) + (x / 2)] = 255;
                }
            }
        }

        var mat = new Mat(ch, cw, MatType.CV_8UC1);
        mat.SetArray(chroma);
        return mat;
    }

    public void Dispose()
    {
        Keep.Dispose();
        Obscure.Dispose();
        ObscureChroma.Dispose();
    }
}
