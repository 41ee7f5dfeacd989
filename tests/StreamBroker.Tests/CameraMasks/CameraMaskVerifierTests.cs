using CameraHub.StreamBroker.CameraMasks;

namespace CameraHub.StreamBroker.Tests.CameraMasks;

/// <summary>The verification's judgement on synthetic frames: flat fill passes; picture, detail or the wrong colour fails.</summary>
public sealed class CameraMaskVerifierTests
{
    private const int Width = 64;
    private const int Height = 32;
    private static readonly byte[] LeftHalf = Frame((x, _) => x < Width / 2 ? 1 : 0);

    [Fact]
    public void Flat_fill_over_every_obscured_pixel_passes()
    {
        var frame = Frame((x, y) => x < Width / 2 ? 128 + ((x + y) % 3) : (x * 7) % 256);

        var verdict = CameraMaskVerifier.Judge(frame, LeftHalf, Width, Height, fillLuma: 128);

        Assert.True(verdict.Passed, verdict.Reason);
    }

    [Fact]
    public void Picture_inside_the_obscured_area_fails_naming_the_first_pixel()
    {
        var frame = Frame((x, y) => x < Width / 2 && y < Height / 2 ? 128 : (x * 7) % 256);

        var verdict = CameraMaskVerifier.Judge(frame, LeftHalf, Width, Height, fillLuma: 128);

        Assert.False(verdict.Passed);
        Assert.Contains("show picture", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flat_area_of_another_grey_than_the_mask_colour_is_not_taken_for_the_mask()
    {
        var frame = Frame((x, _) => x < Width / 2 ? 20 : 200);

        var verdict = CameraMaskVerifier.Judge(frame, LeftHalf, Width, Height, fillLuma: 128);

        Assert.False(verdict.Passed);
        Assert.Contains("not the mask colour", verdict.Reason, StringComparison.Ordinal);
    }

    private static byte[] Frame(Func<int, int, int> value)
    {
        var frame = new byte[Width * Height];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                frame[(y * Width) + x] = (byte)value(x, y);
            }
        }

        return frame;
    }
}
