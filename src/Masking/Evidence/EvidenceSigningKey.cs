using CameraHub.CameraRegistry.Secrets;
using Microsoft.AspNetCore.DataProtection;

namespace CameraHub.Masking.Evidence;

/// <summary>
/// The installation's ECDSA P-256 key that signs evidence manifests: created on first use, stored encrypted with the
/// data-protection keys, never leaves the process. Its public half travels in every package and is published by the hub.
/// </summary>
public sealed class EvidenceSigningKey(SecretBlobStore store, IDataProtectionProvider protection) : IDisposable
{
    private readonly ProtectedSigningKey _key = new(store, "evidence-signing.key", "CameraHub.EvidenceSigningKey.v1", protection);

    /// <summary>The key kept as a file in <paramref name="keyDirectory"/> (one process, or tests).</summary>
    public EvidenceSigningKey(string keyDirectory, IDataProtectionProvider protection)
        : this(SecretBlobStore.Files(keyDirectory), protection)
    {
    }

    /// <summary>SubjectPublicKeyInfo in PEM, as `openssl dgst -verify` reads it.</summary>
    public string PublicKeyPem => _key.PublicKeyPem;

    /// <summary>SHA-256 of the DER public key: what a recipient compares with the fingerprint the city publishes.</summary>
    public string Fingerprint => _key.Fingerprint;

    /// <summary>DER-encoded ECDSA signature (the form OpenSSL writes and verifies) over SHA-256 of <paramref name="data"/>.</summary>
    public byte[] Sign(byte[] data) => _key.Sign(data);

    public void Dispose() => _key.Dispose();
}
