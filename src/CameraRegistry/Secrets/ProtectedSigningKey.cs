using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace CameraHub.CameraRegistry.Secrets;

/// <summary>
/// An ECDSA P-256 key of the installation, created on first use and stored in the key directory encrypted by the
/// data-protection key ring (itself under the key-encryption key): the database never holds it, and a copy of the
/// data directory without the key-encryption key cannot sign with it.
/// </summary>
public sealed class ProtectedSigningKey : IDisposable
{
    private readonly Lazy<ECDsa> _key;
    private readonly Lazy<string> _publicKeyPem;
    private readonly Lazy<string> _fingerprint;

    /// <param name="keyDirectory">The data directory's keys folder.</param>
    /// <param name="fileName">The encrypted key's file in <paramref name="keyDirectory"/>.</param>
    /// <param name="purpose">The data-protection purpose; a different purpose per key keeps their blobs apart.</param>
    /// <param name="protection">The hub's data-protection provider (its key ring is under the key-encryption key).</param>
    public ProtectedSigningKey(string keyDirectory, string fileName, string purpose, IDataProtectionProvider protection)
        : this(SecretBlobStore.Files(keyDirectory), fileName, purpose, protection)
    {
    }

    /// <param name="store">Where the protected key is kept (files, or the shared database of several nodes).</param>
    /// <param name="fileName">The protected key's name in <paramref name="store"/>.</param>
    /// <param name="purpose">The data-protection purpose; a different purpose per key keeps their blobs apart.</param>
    /// <param name="protection">The hub's data-protection provider (its key ring is under the key-encryption key).</param>
    public ProtectedSigningKey(SecretBlobStore store, string fileName, string purpose, IDataProtectionProvider protection)
    {
        // Opened on first use, not at construction: hosted services are built before start-up has migrated the shared
        // database's secrets table (PostgreSQL).
        _key = new Lazy<ECDsa>(() =>
        {
            var protector = protection.CreateProtector(purpose);
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var stored = store.GetOrAdd(fileName, () => protector.Protect(key.ExportPkcs8PrivateKey()));
            key.ImportPkcs8PrivateKey(protector.Unprotect(stored), out _);
            return key;
        });
        _publicKeyPem = new Lazy<string>(() => _key.Value.ExportSubjectPublicKeyInfoPem() + "\n");
        _fingerprint = new Lazy<string>(() => FingerprintOf(_key.Value));
    }

    /// <summary>SubjectPublicKeyInfo in PEM, as `openssl dgst -verify` reads it.</summary>
    public string PublicKeyPem => _publicKeyPem.Value;

    /// <summary>SHA-256 (hex) of the DER public key: `openssl pkey -pubin -outform DER | sha256sum`.</summary>
    public string Fingerprint => _fingerprint.Value;

    /// <summary>DER-encoded ECDSA signature (the form OpenSSL writes and verifies) over SHA-256 of <paramref name="data"/>.</summary>
    public byte[] Sign(byte[] data) => _key.Value.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>The fingerprint of any ECDSA public key, computed the way <see cref="Fingerprint"/> is.</summary>
    public static string FingerprintOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public void Dispose()
    {
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }
}
