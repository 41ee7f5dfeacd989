using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>
/// RFC 7616 HTTP Digest (MD5, qop=auth) for devices that want it on top of, or instead of, WS-Security.
/// Answered per request from the device's 401 challenge, so no nonce bookkeeping is kept between calls.
/// </summary>
public static partial class HttpDigest
{
    /// <summary>The Digest challenge of a 401 answer, or null when the device did not offer Digest.</summary>
    public static IReadOnlyDictionary<string, string>? Challenge(HttpResponseHeaders headers)
    {
        var digest = headers.WwwAuthenticate.FirstOrDefault(h => string.Equals(h.Scheme, "Digest", StringComparison.OrdinalIgnoreCase));
        return digest?.Parameter is { } parameter ? Parameters(parameter) : null;
    }

    /// <summary>Splits 'realm="x", nonce="y", qop="auth"' into its parameters.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(string parameter) =>
        DigestParameter().Matches(parameter).ToDictionary(
            m => m.Groups[1].Value.ToLowerInvariant(),
            m => m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value,
            StringComparer.Ordinal);

    /// <summary>The Authorization header answering <paramref name="challenge"/>.</summary>
    public static AuthenticationHeaderValue Authorization(
        IReadOnlyDictionary<string, string> challenge, OnvifCredentials credentials, string method, string uri, string? clientNonce = null)
    {
        var realm = challenge.GetValueOrDefault("realm", string.Empty);
        var nonce = challenge.GetValueOrDefault("nonce", string.Empty);
        var qop = challenge.TryGetValue("qop", out var offered) && offered.Split(',').Any(q => q.Trim() == "auth") ? "auth" : null;
        clientNonce ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        const string count = "00000001";
        var ha1 = Md5($"{credentials.Username}:{realm}:{credentials.Password}");
        var ha2 = Md5($"{method}:{uri}");
        var response = qop is null ? Md5($"{ha1}:{nonce}:{ha2}") : Md5($"{ha1}:{nonce}:{count}:{clientNonce}:{qop}:{ha2}");
        var builder = new StringBuilder().Append(CultureInfo.InvariantCulture, $"username=\"{credentials.Username}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\"");
        if (challenge.TryGetValue("opaque", out var opaque))
        {
            builder.Append(CultureInfo.InvariantCulture, $", opaque=\"{opaque}\"");
        }

        if (qop is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $", qop={qop}, nc={count}, cnonce=\"{clientNonce}\"");
        }

        builder.Append(", algorithm=MD5");
        return new AuthenticationHeaderValue("Digest", builder.ToString());
    }

    /// <summary>Checks an Authorization header against the expected password (the fake camera's side).</summary>
    public static bool Verify(IReadOnlyDictionary<string, string> answer, OnvifCredentials expected, string method)
    {
        if (answer.GetValueOrDefault("username") != expected.Username)
        {
            return false;
        }

        var ha1 = Md5($"{expected.Username}:{answer.GetValueOrDefault("realm")}:{expected.Password}");
        var ha2 = Md5($"{method}:{answer.GetValueOrDefault("uri")}");
        var want = answer.TryGetValue("qop", out var qop)
            ? Md5($"{ha1}:{answer.GetValueOrDefault("nonce")}:{answer.GetValueOrDefault("nc")}:{answer.GetValueOrDefault("cnonce")}:{qop}:{ha2}")
            : Md5($"{ha1}:{answer.GetValueOrDefault("nonce")}:{ha2}");
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(want), Encoding.ASCII.GetBytes(answer.GetValueOrDefault("response", string.Empty)));
    }

#pragma warning disable CA5351 // MD5 is what HTTP Digest as implemented by cameras uses; it is not our choice of hash.
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    [GeneratedRegex("(\\w+)=(?:\"([^\"]*)\"|([^\\s,]*))")]
    private static partial Regex DigestParameter();
}
