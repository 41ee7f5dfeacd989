using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace CameraHub.CameraRegistry.Audit;

/// <summary>
/// A signed statement "the audit chain had <see cref="Sequence"/> entries ending in <see cref="HeadHash"/> at
/// <see cref="AtTicks"/>", made with a key the database does not hold: a chain rewritten or cut after it was signed no
/// longer matches it, and nobody without the key can sign a new one.
/// </summary>
public sealed class AuditCheckpoint
{
    /// <summary>Row number (1, 2, 3 …); a quiet log gets several checkpoints of one sequence.</summary>
    public long Id { get; set; }
    /// <summary>The last entry covered.</summary>
    public long Sequence { get; set; }
    /// <summary>That entry's hash (64 zeros for an empty log).</summary>
    public required string HeadHash { get; set; }
    /// <summary>When it was signed: UTC, 100 ns ticks since 0001-01-01.</summary>
    public long AtTicks { get; set; }
    /// <summary>Base64 of the DER ECDSA P-256 signature over the statement (UTF-8).</summary>
    public required string Signature { get; set; }
    /// <summary>SHA-256 of the DER public key that signed it.</summary>
    public required string KeyFingerprint { get; set; }

    public DateTime AtUtc => new(AtTicks, DateTimeKind.Utc);

    /// <summary>The exact text signed; one line per field, so `openssl dgst -verify` can check a saved copy.</summary>
    public static string Statement(long sequence, string headHash, long atTicks) => string.Create(CultureInfo.InvariantCulture,
        $"camerahub-audit-checkpoint/1\nsequence {sequence}\nhead {headHash}\nsigned {new DateTime(atTicks, DateTimeKind.Utc):yyyy-MM-ddTHH:mm:ss.fffffffZ}\n");

    public string Statement() => Statement(Sequence, HeadHash, AtTicks);

    /// <summary>Whether <see cref="Signature"/> is <paramref name="key"/>'s signature over the statement.</summary>
    public bool IsSignedBy(ECDsa key)
    {
        try
        {
            return key.VerifyData(Encoding.UTF8.GetBytes(Statement()), Convert.FromBase64String(Signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>
/// A checkpoint as the DPO keeps it outside the hub (GET /api/audit/checkpoint, the witness): the statement, its
/// signature and the public key, checkable with `openssl dgst -sha256 -verify` and by `verify-audit --checkpoint`.
/// </summary>
public sealed record AuditCheckpointFile(
    long Sequence, string HeadHash, DateTime SignedAt, string Statement, string Signature, string KeyFingerprint, string PublicKeyPem)
{
    [JsonIgnore]
    public long AtTicks => SignedAt.ToUniversalTime().Ticks;

    public static AuditCheckpointFile From(AuditCheckpoint c, string publicKeyPem) =>
        new(c.Sequence, c.HeadHash, c.AtUtc, c.Statement(), c.Signature, c.KeyFingerprint, publicKeyPem);

    public AuditCheckpoint ToCheckpoint() => new()
    {
        Sequence = Sequence, HeadHash = HeadHash, AtTicks = AtTicks, Signature = Signature, KeyFingerprint = KeyFingerprint,
    };
}
