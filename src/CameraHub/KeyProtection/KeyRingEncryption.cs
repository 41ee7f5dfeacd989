using System.Security.Cryptography;
using System.Xml.Linq;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace CameraHub.KeyProtection;

/// <summary>
/// The key-encryption key that wraps the Data Protection key ring on disk (the ring in turn protects camera passwords,
/// partner secrets and the evidence signing key). It lives outside the data directory (an environment variable, a
/// systemd credential, a file readable only by the service), so a copy of the data directory alone reveals no secret.
/// </summary>
public sealed class KeyEncryptionKey
{
    private readonly byte[] _key;

    private KeyEncryptionKey(byte[] key) => _key = key;

    /// <summary>A fingerprint for logs and support: says which key is in use without revealing it.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(_key))[..16];

    /// <summary>From base64 text (32 bytes: e.g. <c>openssl rand -base64 32</c>).</summary>
    /// <exception cref="InvalidOperationException">The text is not base64 of exactly 32 bytes; the message says which.</exception>
    public static KeyEncryptionKey Parse(string base64, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"the key-encryption key from {source} is not base64; create one with `openssl rand -base64 32`");
        }

        return key.Length == 32
            ? new KeyEncryptionKey(key)
            : throw new InvalidOperationException($"the key-encryption key from {source} is {key.Length} bytes; it must be 32 (`openssl rand -base64 32`)");
    }

    /// <summary>Configured key: <c>CameraHub:KeyEncryptionKey</c> (base64) or <c>CameraHub:KeyEncryptionKeyFile</c>; null when neither is set.</summary>
    public static KeyEncryptionKey? FromConfiguration(IConfiguration configuration)
    {
        if (configuration["CameraHub:KeyEncryptionKey"] is { Length: > 0 } inline)
        {
            return Parse(inline, "CameraHub:KeyEncryptionKey");
        }

        if (configuration["CameraHub:KeyEncryptionKeyFile"] is { Length: > 0 } file)
        {
            return File.Exists(file)
                ? Parse(File.ReadAllText(file), file)
                : throw new InvalidOperationException($"CameraHub:KeyEncryptionKeyFile names {file}, which does not exist");
        }

        return null;
    }

    /// <summary>Creates and keeps a key in <paramref name="file"/> (owner-only) unless one is there; used by demo mode.</summary>
    public static KeyEncryptionKey LoadOrCreate(string file)
    {
        if (File.Exists(file))
        {
            return Parse(File.ReadAllText(file), file);
        }

        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(file, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new KeyEncryptionKey(key);
    }

    internal byte[] Seal(byte[] plaintext, out byte[] nonce, out byte[] tag)
    {
        nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[plaintext.Length];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Encrypt(nonce, plaintext, ciphertext, tag);
        return ciphertext;
    }

    internal byte[] Open(byte[] ciphertext, byte[] nonce, byte[] tag)
    {
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Decrypt(nonce, ciphertext, tag, plaintext);
        return plaintext;
    }
}

/// <summary>Wraps each key of the ring with AES-256-GCM under the <see cref="KeyEncryptionKey"/>.</summary>
public sealed class KeyRingEncryptor(KeyEncryptionKey key) : IXmlEncryptor
{
    internal static readonly XName Element = "aesGcmWrappedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plaintext = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var ciphertext = key.Seal(plaintext, out var nonce, out var tag);
        var wrapped = new XElement(Element,
            new XAttribute("kek", key.Fingerprint),
            new XComment(" AES-256-GCM under CameraHub's key-encryption key (CameraHub:KeyEncryptionKey) "),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(wrapped, typeof(KeyRingDecryptor));
    }
}

/// <summary>Unwraps keys written by <see cref="KeyRingEncryptor"/>; names the problem when the key-encryption key is missing or wrong.</summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var key = services.GetService<KeyEncryptionKey>() ?? throw new InvalidOperationException(
            "the Data Protection key ring is encrypted but no key-encryption key is configured: set CameraHub:KeyEncryptionKey or CameraHub:KeyEncryptionKeyFile");
        var written = encryptedElement.Attribute("kek")?.Value;
        try
        {
            var plaintext = key.Open(
                Convert.FromBase64String(encryptedElement.Element("value")!.Value),
                Convert.FromBase64String(encryptedElement.Element("nonce")!.Value),
                Convert.FromBase64String(encryptedElement.Element("tag")!.Value));
            return XElement.Parse(System.Text.Encoding.UTF8.GetString(plaintext));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidOperationException(
                $"the Data Protection key ring was encrypted with key-encryption key {written}, but the configured one is {key.Fingerprint}");
        }
    }
}

/// <summary>Registers the key ring's location and, when a key-encryption key is available, its encryption.</summary>
public static class KeyRingRegistration
{
    /// <summary>
    /// Keys under <paramref name="dataDirectory"/>/keys (SQLite) or in the shared database (PostgreSQL: every node the
    /// same ring), wrapped by the configured key (or, in demo mode, one kept beside the data).
    /// </summary>
    public static IDataProtectionBuilder AddHubKeyRing(this IServiceCollection services, IConfiguration configuration, string dataDirectory, bool demo, HubDatabase database)
    {
        var builder = services.AddDataProtection().SetApplicationName("CameraHub");
        if (database.IsPostgreSql)
        {
            services.AddDbContext<KeyRingDbContext>(o => database.Configure(o, KeyRingDbContext.MigrationsTable));
            builder.PersistKeysToDbContext<KeyRingDbContext>();
        }
        else
        {
            builder.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        }

        var key = KeyEncryptionKey.FromConfiguration(configuration)
            ?? (demo ? KeyEncryptionKey.LoadOrCreate(Path.Combine(dataDirectory, "key-encryption.key")) : null);
        if (key is not null)
        {
            services.AddSingleton(key);
            services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new KeyRingEncryptor(key));
        }

        return builder;
    }

    /// <summary>Where the ring lives, for messages.</summary>
    public static string Location(IServiceProvider services, string dataDirectory) =>
        services.GetService<HubDatabase>()?.IsPostgreSql == true ? "the shared database (table DataProtectionKeys)" : Path.Combine(dataDirectory, "keys");

    /// <summary>Creates or upgrades the key ring's table (PostgreSQL only); runs before anything reads the ring.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        if (services.GetService<HubDatabase>()?.IsPostgreSql != true)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        await HubDatabase.MigrateAsync(services, scope.ServiceProvider.GetRequiredService<KeyRingDbContext>(), ct);
    }

    /// <summary>True when keys written from now on are wrapped.</summary>
    public static bool Encrypts(IServiceProvider services) => services.GetService<KeyEncryptionKey>() is not null;

    /// <summary>
    /// Opens every key of the ring at start-up. Without this, a missing or wrong key-encryption key would make Data
    /// Protection quietly start a new ring, and every stored secret would be lost on first use instead of refused now.
    /// </summary>
    /// <exception cref="InvalidOperationException">A key cannot be opened; the message says why.</exception>
    public static void VerifyReadable(IServiceProvider services, string keyDirectory)
    {
        foreach (var key in services.GetRequiredService<IKeyManager>().GetAllKeys())
        {
            try
            {
                _ = key.Descriptor;
            }
            catch (Exception e) when (e is InvalidOperationException or CryptographicException or FormatException)
            {
                throw new InvalidOperationException($"key {key.KeyId} of the Data Protection key ring in {keyDirectory} cannot be opened: {e.Message}", e);
            }
        }
    }
}
