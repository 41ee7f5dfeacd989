using OpenCvSharp;

namespace CameraHub.Masking.Anonymisation;

/// <summary>How obscured pixels are replaced. Both are irreversible; a blur is deliberately not offered.</summary>
public enum ObscureStyle
{
    /// <summary>Each block on a fixed grid becomes the mean colour of the block.</summary>
    Pixelate = 0,
    /// <summary>Obscured pixels become one flat grey.</summary>
    SolidFill = 1,
}

/// <summary>
/// Replaces the pixels selected by a mask with large-block pixelation or a solid fill, leaving every other pixel
/// bit-identical. Holds its scratch buffers, so one instance serves one frame at a time.
/// </summary>
public sealed class Pixelator : IDisposable
{
    /// <summary>The fill colour for <see cref="ObscureStyle.SolidFill"/>: mid-grey in BGR, and in every Y, U and V plane.</summary>
    public static readonly Scalar FillColour = new(128, 128, 128);
    private readonly Mat _padded = new();
    private readonly Mat _small = new();
    private readonly Mat _blocks = new();

    public Pixelator(int width, int height, ObscureStyle style)
    {
        Style = style;
        BlockSize = BlockSizeFor(width);
        BlockColumns = (width + BlockSize - 1) / BlockSize;
        BlockRows = (height + BlockSize - 1) / BlockSize;
    }

    /// <summary>A pixelator for a subsampled plane that shares <paramref name="luma"/>'s block grid (same block count).</summary>
    public Pixelator(Pixelator luma, int subsampling)
    {
        Style = luma.Style;
        BlockSize = luma.BlockSize / subsampling;
        BlockColumns = luma.BlockColumns;
        BlockRows = luma.BlockRows;
    }

    public ObscureStyle Style { get; }

    /// <summary>Edge of a pixelation block in pixels.</summary>
    public int BlockSize { get; }

    public int BlockColumns { get; }
    public int BlockRows { get; }

    /// <summary>
    /// max(16 px, width / 40), rounded down to even: the picture is at most 40 blocks wide whatever its resolution, so a
    /// face beyond the keep distance covers at most a couple of blocks (see docs/design/masking.md for the numbers).
    /// Even, so that 4:2:0 chroma blocks of half the size sit exactly on the luma grid.
    /// </summary>
    public static int BlockSizeFor(int width) => Math.Max(16, width / 40) & ~1;

    /// <summary>Obscures, in place, the pixels of <paramref name="frame"/> (BGR, or one Y/U/V plane) where <paramref name="obscure"/> is non-zero.</summary>
    public void Apply(Mat frame, Mat obscure)
    {
        if (Style == ObscureStyle.SolidFill)
        {
            frame.SetTo(FillColour, obscure);
            return;
        }

        // Area averaging down to one pixel per block, then nearest-neighbour back up: every block is one flat colour,
        // the mean of what it covered. The grid is fixed to the frame, not to the obscured region. The frame is first
        // padded (edge pixels repeated) to whole blocks: OpenCV's area resize is ~15× faster at integer factors, and
        // the last row and column of blocks then average only their own pixels.
        var paddedWidth = BlockColumns * BlockSize;
        var paddedHeight = BlockRows * BlockSize;
        var source = frame;
        if (paddedWidth != frame.Width || paddedHeight != frame.Height)
        {
            Cv2.CopyMakeBorder(frame, _padded, 0, paddedHeight - frame.Height, 0, paddedWidth - frame.Width, BorderTypes.Replicate);
            source = _padded;
        }

        Cv2.Resize(source, _small, new Size(BlockColumns, BlockRows), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(_small, _blocks, new Size(paddedWidth, paddedHeight), 0, 0, InterpolationFlags.Nearest);
        using var visible = _blocks[new Rect(0, 0, frame.Width, frame.Height)];
        visible.CopyTo(frame, obscure);
    }

    public void Dispose()
    {
        _padded.Dispose();
        _small.Dispose();
        _blocks.Dispose();
    }
}
