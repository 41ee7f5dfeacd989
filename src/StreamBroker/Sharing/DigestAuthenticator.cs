using System.Security.Cryptography;
using System.Text;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>The fields of an <c>Authorization: Digest …</c> header.</summary>
public sealed record DigestCredentials(string UserName, string Realm, string Nonce, string Uri, string Response, string? Qop, string? NonceCount, string? ClientNonce);

/// <summary>
/// RFC 2617 digest authentication for RTSP (MD5, with or without qop=auth). The server keeps HA1 = MD5(user:realm:password)
/// per credential, never the password; nonces are random per connection, so a captured response cannot be replayed elsewhere.
/// </summary>
public static class DigestAuthenticator
{
    public const string Realm = "CameraHub";

    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The WWW-Authenticate value; <paramref name="stale"/> tells a client whose response was right for another nonce to answer this one (RFC 2617 3.2.1).</summary>
    public static string Challenge(string nonce, bool stale = false) => $"Digest realm=\"{Realm}\", nonce=\"{nonce}\", algorithm=MD5{(stale ? ", stale=TRUE" : "")}";

    /// <summary>HA1 as stored for a credential: lower-case hex MD5 of user:realm:password.</summary>
    public static string Ha1(string userName, string password) => Md5Hex($"{userName}:{Realm}:{password}");

    public static DigestCredentials? Parse(string? header)
    {
        if (header is null || !header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var s = header.AsSpan(7);
        while (!s.IsEmpty)
        {
            s = s.TrimStart(" ,");
            var eq = s.IndexOf('=');
            if (eq <= 0)
            {
                break;
            }

            var key = s[..eq].Trim().ToString();
            s = s[(eq + 1)..].TrimStart();
            string value;
            if (!s.IsEmpty && s[0] == '"')
            {
                var close = s[1..].IndexOf('"');
                if (close < 0)
                {
                    return null;
                }

                value = s.Slice(1, close).ToString();
                s = s[(close + 2)..];
            }
            else
            {
                var comma = s.IndexOf(',');
                value = (comma < 0 ? s : s[..comma]).Trim().ToString();
                s = comma < 0 ? [] : s[comma..];
            }

            fields[key] = value;
        }

        return fields.TryGetValue("username", out var user) && fields.TryGetValue("nonce", out var nonce)
            && fields.TryGetValue("uri", out var uri) && fields.TryGetValue("response", out var response)
            ? new DigestCredentials(user, fields.GetValueOrDefault("realm", ""), nonce, uri, response,
                fields.GetValueOrDefault("qop"), fields.GetValueOrDefault("nc"), fields.GetValueOrDefault("cnonce"))
            : null;
    }

    /// <summary>True when the response matches HA1, the method and the nonce this connection issued (constant-time compare).</summary>
    public static bool Verify(DigestCredentials credentials, string method, string expectedNonce, string ha1) =>
        string.Equals(credentials.Nonce, expectedNonce, StringComparison.Ordinal) && VerifyResponse(credentials, method, ha1);

    /// <summary>
    /// True when the response matches HA1 and the method for the nonce the client used, whichever connection issued it:
    /// a client redirected from another node answers with that node's nonce, knowing the password.
    /// </summary>
    public static bool VerifyResponse(DigestCredentials credentials, string method, string ha1)
    {
        if (!string.Equals(credentials.Realm, Realm, StringComparison.Ordinal))
        {
            return false;
        }

        var ha2 = Md5Hex($"{method}:{credentials.Uri}");
        var expected = credentials.Qop is "auth"
            ? Md5Hex($"{ha1}:{credentials.Nonce}:{credentials.NonceCount}:{credentials.ClientNonce}:auth:{ha2}")
            : Md5Hex($"{ha1}:{credentials.Nonce}:{ha2}");
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(credentials.Response.ToLowerInvariant()));
    }

    // Digest is defined on MD5; it is not used here for anything but the protocol's own response check.
#pragma warning disable CA5351
    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
