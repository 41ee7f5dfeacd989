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
    private readonly ECDsa _key;

    /// <param name="keyDirectory">The data directory's keys folder.</param>
    /// <param name="fileName">The encrypted key's file in <paramref name="keyDirectory"/>.</param>
    /// <param name="purpose">The data-protection purpose; a different purpose per key keeps their blobs apart.</param>
    /// <param name="protection">The hub's data-protection provider (its key ring is under the key-encryption key).</param>
    public ProtectedSigningKey(string keyDirectory, string fileName, string purpose, IDataProtectionProvider protection)
    {
        var protector = protection.CreateProtector(purpose);
        Directory.CreateDirectory(keyDirectory);
        var path = Path.Combine(keyDirectory, fileName);
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            _key.ImportPkcs8PrivateKey(protector.Unprotect(File.ReadAllBytes(path)), out _);
        }
        else
        {
            File.WriteAllBytes(path, protector.Protect(_key.ExportPkcs8PrivateKey()));
        }

        PublicKeyPem = _key.ExportSubjectPublicKeyInfoPem() + "\n";
        Fingerprint = FingerprintOf(_key);
    }

    /// <summary>SubjectPublicKeyInfo in PEM, as `openssl dgst -verify` reads it.</summary>
    public string PublicKeyPem { get; }

    /// <summary>SHA-256 (hex) of the DER public key: `openssl pkey -pubin -outform DER | sha256sum`.</summary>
    public string Fingerprint { get; }

    /// <summary>DER-encoded ECDSA signature (the form OpenSSL writes and verifies) over SHA-256 of <paramref name="data"/>.</summary>
    public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>The fingerprint of any ECDSA public key, computed the way <see cref="Fingerprint"/> is.</summary>
    public static string FingerprintOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public void Dispose() => _key.Dispose();
}
