using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace CameraHub.Masking.Evidence;

/// <summary>
/// The installation's ECDSA P-256 key that signs evidence manifests: created on first use, stored encrypted with the
/// data-protection keys, never leaves the process. Its public half travels in every package and is published by the hub.
/// </summary>
public sealed class EvidenceSigningKey : IDisposable
{
    private readonly ECDsa _key;

    public EvidenceSigningKey(string keyDirectory, IDataProtectionProvider protection)
    {
        var protector = protection.CreateProtector("CameraHub.EvidenceSigningKey.v1");
        Directory.CreateDirectory(keyDirectory);
        var path = Path.Combine(keyDirectory, "evidence-signing.key");
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
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>SubjectPublicKeyInfo in PEM, as `openssl dgst -verify` reads it.</summary>
    public string PublicKeyPem { get; }

    /// <summary>SHA-256 of the DER public key: what a recipient compares with the fingerprint the city publishes.</summary>
    public string Fingerprint { get; }

    /// <summary>DER-encoded ECDSA signature (the form OpenSSL writes and verifies) over SHA-256 of <paramref name="data"/>.</summary>
    public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public void Dispose() => _key.Dispose();
}
