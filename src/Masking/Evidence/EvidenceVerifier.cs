using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CameraHub.Masking.Evidence;

/// <summary>What checking a package found: intact, or each thing that is wrong.</summary>
public sealed record EvidenceVerification(bool Intact, string? CaseNumber, int FilesChecked, IReadOnlyList<string> Problems, string? SigningKeyFingerprint);

/// <summary>
/// Checks an evidence package offline, as a recipient would with sha256sum and openssl: the signature over
/// manifest.json with the package's public key, then every file's SHA-256 against the manifest.
/// </summary>
public static class EvidenceVerifier
{
    public static EvidenceVerification Verify(string zipPath, string? expectedFingerprint = null)
    {
        var problems = new List<string>();
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(zipPath);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new(false, null, 0, [$"{Path.GetFileName(zipPath)} is not a readable zip: {ex.Message}"], null);
        }

        using (archive)
        {
            byte[]? Read(string name)
            {
                var entry = archive.GetEntry(name);
                if (entry is null)
                {
                    problems.Add($"{name} is missing from the package");
                    return null;
                }

                try
                {
                    using var stream = entry.Open();
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    return buffer.ToArray();
                }
                catch (InvalidDataException ex)
                {
                    problems.Add($"{name} cannot be read from the zip (damaged): {ex.Message}");
                    return null;
                }
            }

            var manifestBytes = Read(EvidencePackage.ManifestName);
            var signature = Read(EvidencePackage.SignatureName);
            var pem = Read(EvidencePackage.PublicKeyName);
            string? fingerprint = null;
            if (manifestBytes is not null && signature is not null && pem is not null)
            {
                using var key = ECDsa.Create();
                try
                {
                    key.ImportFromPem(Encoding.ASCII.GetString(pem));
                    fingerprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
                    if (!key.VerifyData(manifestBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
                    {
                        problems.Add("manifest.sig does not match manifest.json: the manifest was altered or signed by another key");
                    }
                }
                catch (Exception ex) when (ex is ArgumentException or CryptographicException)
                {
                    problems.Add($"public-key.pem is not an ECDSA public key: {ex.Message}");
                }

                if (expectedFingerprint is not null && fingerprint is not null && !string.Equals(fingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"the package was signed by key {fingerprint}, not by the expected key {expectedFingerprint}");
                }
            }

            EvidenceManifest? manifest = null;
            if (manifestBytes is not null)
            {
                try
                {
                    manifest = JsonSerializer.Deserialize<EvidenceManifest>(manifestBytes, EvidencePackage.Json);
                }
                catch (JsonException ex)
                {
                    problems.Add($"manifest.json is not a valid manifest: {ex.Message}");
                }
            }

            var checkedFiles = 0;
            if (manifest is not null)
            {
                if (manifest.SigningKeyFingerprint != fingerprint && fingerprint is not null)
                {
                    problems.Add("the manifest names a different signing key than the package's public-key.pem");
                }

                foreach (var (name, expected) in manifest.Files)
                {
                    var bytes = Read(name);
                    if (bytes is null)
                    {
                        continue;
                    }

                    checkedFiles++;
                    var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
                    if (!string.Equals(actual, expected, StringComparison.Ordinal))
                    {
                        problems.Add($"{name}: SHA-256 is {actual}, the manifest says {expected}: the file was altered");
                    }
                }

                var listed = manifest.Files.Keys.Concat([EvidencePackage.ManifestName, EvidencePackage.SignatureName, EvidencePackage.ChecksumsName]).ToHashSet(StringComparer.Ordinal);
                foreach (var extra in archive.Entries.Select(e => e.FullName).Where(n => !n.EndsWith('/') && !listed.Contains(n)))
                {
                    problems.Add($"{extra} is in the package but not in the manifest");
                }
            }

            return new(problems.Count == 0, manifest?.CaseNumber, checkedFiles, problems, fingerprint);
        }
    }
}
