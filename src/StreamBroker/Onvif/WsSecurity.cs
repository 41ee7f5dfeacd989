using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>Credentials for a device; the password never leaves this process in clear text (digest only).</summary>
public sealed record OnvifCredentials(string Username, string Password);

/// <summary>WS-Security UsernameToken with PasswordDigest, the authentication every ONVIF device understands.</summary>
public static class WsSecurity
{
    public const string PasswordDigestType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
    public const string Base64EncodingType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

    /// <summary>Base64(SHA1(nonce + created + password)) as the UsernameToken profile defines it.</summary>
    public static string Digest(byte[] nonce, string created, string password)
    {
        var createdBytes = Encoding.UTF8.GetBytes(created);
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        var input = new byte[nonce.Length + createdBytes.Length + passwordBytes.Length];
        nonce.CopyTo(input, 0);
        createdBytes.CopyTo(input, nonce.Length);
        passwordBytes.CopyTo(input, nonce.Length + createdBytes.Length);
#pragma warning disable CA5350 // SHA-1 is what the WS-Security UsernameToken profile prescribes; devices accept nothing else.
        return Convert.ToBase64String(SHA1.HashData(input));
#pragma warning restore CA5350
    }

    /// <summary>Formats a token's Created time as devices expect it (UTC, milliseconds, 'Z').</summary>
    public static string FormatCreated(DateTimeOffset deviceTime) =>
        deviceTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// A Security header whose Created is <paramref name="deviceTime"/>: the caller passes its own clock corrected by the
    /// device's skew, because devices reject tokens whose creation time is far from their own clock.
    /// </summary>
    public static XElement UsernameToken(OnvifCredentials credentials, DateTimeOffset deviceTime, byte[]? nonce = null)
    {
        nonce ??= RandomNumberGenerator.GetBytes(16);
        var created = FormatCreated(deviceTime);
        XNamespace wsse = OnvifNamespaces.WsSecurity;
        XNamespace wsu = OnvifNamespaces.WsUtility;
        return new XElement(wsse + "Security",
            new XAttribute(XNamespace.Xmlns + "wsse", wsse.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "wsu", wsu.NamespaceName),
            new XAttribute(OnvifNamespaces.Soap12 + "mustUnderstand", "1"),
            new XElement(wsse + "UsernameToken",
                new XElement(wsse + "Username", credentials.Username),
                new XElement(wsse + "Password", new XAttribute("Type", PasswordDigestType), Digest(nonce, created, credentials.Password)),
                new XElement(wsse + "Nonce", new XAttribute("EncodingType", Base64EncodingType), Convert.ToBase64String(nonce)),
                new XElement(wsu + "Created", created)));
    }

    /// <summary>A UsernameToken read from a request header (for the fake camera and for tests).</summary>
    public sealed record Token(string Username, string Password, string? PasswordType, byte[] Nonce, string? Created);

    /// <summary>Reads the UsernameToken from a request envelope, or null when it has none.</summary>
    public static Token? ReadToken(XElement envelope)
    {
        var token = envelope.Child("Header")?.Child("Security")?.Child("UsernameToken");
        if (token is null)
        {
            return null;
        }

        var password = token.Child("Password");
        byte[] nonce;
        try
        {
            nonce = Convert.FromBase64String(token.ChildText("Nonce")?.Trim() ?? string.Empty);
        }
        catch (FormatException)
        {
            nonce = [];
        }

        return new Token(token.ChildText("Username")?.Trim() ?? string.Empty, password?.Value.Trim() ?? string.Empty,
            password?.AttributeValue("Type"), nonce, token.ChildText("Created")?.Trim());
    }
}
