namespace CameraHub.CameraRegistry.Limits;

/// <summary>
/// The longest value each kind of text field accepts. Everything stored came from someone; a bound keeps a
/// megabyte "name" out of the registry and, through its audit entry, out of the append-only log.
/// </summary>
public static class FieldLimits
{
    /// <summary>Camera, organisation, site, partner ids.</summary>
    public const int Id = 64;
    /// <summary>Names of cameras, organisations, sites; display names.</summary>
    public const int Name = 200;
    /// <summary>Short references: case and decision numbers, GDPR article, vendor, model, who decided, contact, schedule.</summary>
    public const int Reference = 200;
    /// <summary>Purposes and reasons (grants, exports, sharing).</summary>
    public const int Purpose = 1000;
    /// <summary>Longer documentation: the documented weighing of interests, signage text.</summary>
    public const int Text = 4000;
    /// <summary>RTSP, ONVIF and snapshot addresses.</summary>
    public const int Url = 2048;
    /// <summary>Account names (Identity's column is 256).</summary>
    public const int UserName = 256;
    /// <summary>Passwords; hashing a longer one would cost the server, not the caller.</summary>
    public const int Password = 1024;

    /// <summary>The message for a value over its limit; names the field and the limit.</summary>
    public static string TooLong(string field, int length, int max) =>
        $"{field} is {length:N0} characters long; at most {max:N0} are allowed";

    /// <summary>Calls <paramref name="fail"/> with the field and message for every value over its limit.</summary>
    public static void Check(Action<string, string> fail, params (string Field, string? Value, int Max)[] fields)
    {
        foreach (var (field, value, max) in fields)
        {
            if (value is not null && value.Length > max)
            {
                fail(field, TooLong(field, value.Length, max));
            }
        }
    }

    /// <summary>A validation-problem dictionary of the values over their limits, or null when all fit.</summary>
    public static Dictionary<string, string[]>? Problems(params (string Field, string? Value, int Max)[] fields)
    {
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Check((field, message) => problems[field] = [message], fields);
        return problems.Count == 0 ? null : problems;
    }
}
