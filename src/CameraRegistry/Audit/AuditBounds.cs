using System.Globalization;

namespace CameraHub.CameraRegistry.Audit;

/// <summary>
/// How much of each field an audit entry keeps. Many fields come from outside (a failed login's user name, a camera
/// id in a URL, a reason typed by someone) and an append-only log can never shed what it stored, so a longer value
/// is cut to a prefix that ends with a marker saying how long it was: a one-megabyte user name gives an entry under
/// one kilobyte. The bounds sit above what any valid value needs (ids 64, user names 256 per FieldLimits).
/// </summary>
public static class AuditBounds
{
    public const int Actor = 128;
    public const int CameraId = 128;
    public const int Purpose = 256;
    public const int RemoteAddress = 64;
    public const int Details = 512;
    public const int SubjectType = 32;
    public const int SubjectId = 128;

    /// <summary>The value itself when it fits; otherwise its longest prefix that fits with "…[cut: N chars]" after it.</summary>
    public static string? Bound(string? value, int max)
    {
        if (value is null || value.Length <= max)
        {
            return value;
        }

        var marker = string.Create(CultureInfo.InvariantCulture, $"…[cut: {value.Length} chars]");
        var keep = Math.Max(0, max - marker.Length);
        // Never split a surrogate pair: half a character would not survive the round trip through UTF-8.
        if (keep > 0 && char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        return value[..keep] + marker;
    }

    /// <summary>The event with every field bounded.</summary>
    public static AuditEvent Apply(AuditEvent e) => e with
    {
        Actor = Bound(e.Actor, Actor)!,
        CameraId = Bound(e.CameraId, CameraId),
        Purpose = Bound(e.Purpose, Purpose),
        RemoteAddress = Bound(e.RemoteAddress, RemoteAddress),
        Details = Bound(e.Details, Details),
        SubjectType = Bound(e.SubjectType, SubjectType),
        SubjectId = Bound(e.SubjectId, SubjectId),
    };
}
