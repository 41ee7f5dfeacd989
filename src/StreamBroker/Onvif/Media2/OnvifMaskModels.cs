namespace CameraHub.StreamBroker.Onvif.Media2;

/// <summary>
/// A point of a Media2 privacy mask in the normalised coordinates of the video source configuration's window:
/// x from -1 (left) to 1 (right), y from -1 (bottom) to 1 (top) — y points up, unlike pixels.
/// </summary>
public readonly record struct OnvifVector(double X, double Y)
{
    /// <summary>The normalised point of pixel position (<paramref name="px"/>, <paramref name="py"/>) in a picture of the given size.</summary>
    public static OnvifVector FromPixel(double px, double py, int width, int height) =>
        new(Math.Clamp((2 * px / width) - 1, -1, 1), Math.Clamp(1 - (2 * py / height), -1, 1));

    /// <summary>Back to pixels in a picture of the given size.</summary>
    public (double X, double Y) ToPixel(int width, int height) => ((X + 1) * width / 2, (1 - Y) * height / 2);
}

/// <summary>tt:Color: three components in a colour space (YCbCr when none is named, as tt:Color says).</summary>
public sealed record OnvifColor(double X, double Y, double Z, string? Colorspace = null)
{
    public const string YCbCr = "http://www.onvif.org/ver10/colorspace/YCbCr";
    public const string Rgb = "http://www.onvif.org/ver10/colorspace/RGB";

    /// <summary>Mid grey in YCbCr: the hub's choice of fill, far from both black and white picture content.</summary>
    public static OnvifColor Grey { get; } = new(128, 128, 128, YCbCr);
}

/// <summary>tr2:MaskType values.</summary>
public static class OnvifMaskTypes
{
    public const string Color = "Color";
    public const string Pixelated = "Pixelated";
    public const string Blurred = "Blurred";
}

/// <summary>tr2:Mask: one privacy mask of a video source configuration.</summary>
/// <param name="Token">The device's token (null in a CreateMask request: the device assigns it).</param>
/// <param name="ConfigurationToken">The VideoSourceConfiguration the mask belongs to.</param>
/// <param name="Polygon">At least three points, normalised (<see cref="OnvifVector"/>).</param>
/// <param name="Type">Color, Pixelated or Blurred (<see cref="OnvifMaskTypes"/>).</param>
/// <param name="Color">The fill for type Color.</param>
/// <param name="Enabled">Whether the mask covers the image.</param>
public sealed record OnvifMask(string? Token, string ConfigurationToken, IReadOnlyList<OnvifVector> Polygon, string Type, OnvifColor? Color, bool Enabled);

/// <summary>tr2:MaskOptions: what masks a video source configuration takes.</summary>
/// <param name="MaxMasks">Masks per video source configuration.</param>
/// <param name="MaxPoints">Points per mask.</param>
/// <param name="Types">Supported mask types.</param>
/// <param name="Colors">The colours listed (ColorList), if the device lists them.</param>
/// <param name="ColorRanges">Whether the device gave colour ranges (ColorspaceRange) instead of a list.</param>
/// <param name="RectangleOnly">Masks must be four-point rectangles.</param>
/// <param name="SingleColorOnly">One colour for all masks of the configuration.</param>
public sealed record OnvifMaskOptions(
    int MaxMasks, int MaxPoints, IReadOnlyList<string> Types, IReadOnlyList<OnvifColor> Colors, bool ColorRanges, bool RectangleOnly, bool SingleColorOnly);

/// <summary>The device has no room for another mask on the configuration (env:Receiver/ter:Action/ter:MaxMasks).</summary>
public sealed class OnvifMaxMasksException(string operation, OnvifFault fault, int? httpStatus) : OnvifFaultException(operation, fault, httpStatus);

/// <summary>The device does not take the polygon (ter:InvalidArgVal/ter:InvalidPolygon).</summary>
public sealed class OnvifInvalidPolygonException(string operation, OnvifFault fault, int? httpStatus) : OnvifFaultException(operation, fault, httpStatus);

/// <summary>The video source configuration or mask token does not exist (ter:InvalidArgVal/ter:NoConfig).</summary>
public sealed class OnvifNoConfigException(string operation, OnvifFault fault, int? httpStatus) : OnvifFaultException(operation, fault, httpStatus);
