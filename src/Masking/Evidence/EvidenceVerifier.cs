using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CameraHub.Masking.Evidence;

/// <summary>What checking a package found: intact, or each thing that is wrong.</summary>
public sealed record EvidenceVerification(bool Intact, string? CaseNumber, int FilesChecked, IReadOnlyList<string> Problems, string? SigningKeyFingerprint);

/// <summary>
/// Checks an evidence package offline. It checks everything VERIFY.txt's recipe checks, in the same way
/// (SHA256SUMS.sig over SHA256SUMS with the package's key, every SHA256SUMS line against its file, the key's
/// fingerprint against the published one), and more: manifest.sig over the manifest, the manifest's file list against
/// SHA256SUMS and the files, the manifest's key against the package's, and files nobody listed.
/// </summary>
public static class EvidenceVerifier
{
    public static EvidenceVerification Verify(string zipPath, string? expectedFingerprint = null)
    {
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
            return new PackageCheck(archive).Run(expectedFingerprint);
        }
    }

    private sealed class PackageCheck(ZipArchive archive)
    {
        private readonly List<string> _problems = [];
        private readonly Dictionary<string, string?> _hashes = new(StringComparer.Ordinal);

        private byte[]? Read(string name, bool reportMissing = true)
        {
            var entry = archive.GetEntry(name);
            if (entry is null)
            {
                if (reportMissing)
                {
                    _problems.Add($"{name} is missing from the package");
                }

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
                _problems.Add($"{name} cannot be read from the zip (damaged): {ex.Message}");
                return null;
            }
        }

        /// <summary>The file's SHA-256, read once; null (and a problem) when it is missing or unreadable.</summary>
        private string? HashOf(string name)
        {
            if (!_hashes.TryGetValue(name, out var hash))
            {
                var bytes = Read(name);
                _hashes[name] = hash = bytes is null ? null : Convert.ToHexStringLower(SHA256.HashData(bytes));
            }

            return hash;
        }

        public EvidenceVerification Run(string? expectedFingerprint)
        {
            var pem = Read(EvidencePackage.PublicKeyName);
            var sums = Read(EvidencePackage.ChecksumsName);
            var sumsSignature = Read(EvidencePackage.ChecksumsSignatureName);
            var manifestBytes = Read(EvidencePackage.ManifestName);
            var manifestSignature = Read(EvidencePackage.SignatureName);

            using var key = ECDsa.Create();
            string? fingerprint = null;
            if (pem is not null)
            {
                try
                {
                    key.ImportFromPem(Encoding.ASCII.GetString(pem));
                    fingerprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
                }
                catch (Exception ex) when (ex is ArgumentException or CryptographicException)
                {
                    _problems.Add($"public-key.pem is not an ECDSA public key: {ex.Message}");
                }
            }

            // Recipe step 3: the key is the city's.
            if (expectedFingerprint is not null && fingerprint is not null && !string.Equals(fingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
            {
                _problems.Add($"the package was signed by key {fingerprint}, not by the expected key {expectedFingerprint}");
            }

            // Recipe step 1: openssl dgst -sha256 -verify public-key.pem -signature SHA256SUMS.sig SHA256SUMS.
            if (fingerprint is not null && sums is not null && sumsSignature is not null && !VerifySignature(key, sums, sumsSignature))
            {
                _problems.Add("SHA256SUMS.sig does not match SHA256SUMS: the checksum list was altered or signed by another key");
            }

            // Recipe step 2: sha256sum --strict -c SHA256SUMS.
            var listed = sums is null ? [] : CheckSums(sums);
            var checkedFiles = listed.Count;

            // Beyond the recipe: the manifest's own signature and file list.
            if (fingerprint is not null && manifestBytes is not null && manifestSignature is not null && !VerifySignature(key, manifestBytes, manifestSignature))
            {
                _problems.Add("manifest.sig does not match manifest.json: the manifest was altered or signed by another key");
            }

            var manifest = ParseManifest(manifestBytes);
            if (manifest is not null)
            {
                if (fingerprint is not null && manifest.SigningKeyFingerprint != fingerprint)
                {
                    _problems.Add("the manifest names a different signing key than the package's public-key.pem");
                }

                foreach (var (name, expected) in manifest.Files)
                {
                    if (HashOf(name) is { } actual && !string.Equals(actual, expected, StringComparison.Ordinal))
                    {
                        _problems.Add($"{name}: SHA-256 is {actual}, the manifest says {expected}: the file was altered");
                    }

                    if (sums is not null && !listed.Contains(name))
                    {
                        _problems.Add($"{name} is in the manifest but not in SHA256SUMS");
                    }
                }

                foreach (var name in new[] { EvidencePackage.ManifestName, EvidencePackage.SignatureName })
                {
                    if (sums is not null && !listed.Contains(name))
                    {
                        _problems.Add($"{name} is not in SHA256SUMS");
                    }
                }

                var known = manifest.Files.Keys.Concat(listed)
                    .Concat([EvidencePackage.ManifestName, EvidencePackage.SignatureName, EvidencePackage.ChecksumsName, EvidencePackage.ChecksumsSignatureName])
                    .ToHashSet(StringComparer.Ordinal);
                foreach (var extra in archive.Entries.Select(e => e.FullName).Where(n => !n.EndsWith('/') && !known.Contains(n)))
                {
                    _problems.Add($"{extra} is in the package but neither in the manifest nor in SHA256SUMS");
                }
            }

            return new(_problems.Count == 0, manifest?.CaseNumber, checkedFiles, _problems, fingerprint);
        }

        private static bool VerifySignature(ECDsa key, byte[] data, byte[] signature)
        {
            try
            {
                return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }

        /// <summary>Each line as `sha256sum --strict -c` reads it: 64 hex digits, two spaces, the file name.</summary>
        private HashSet<string> CheckSums(byte[] sums)
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            var lines = Encoding.UTF8.GetString(sums).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (line.Length == 0 && i == lines.Length - 1)
                {
                    break;
                }

                if (line.Length < 67 || line[64] != ' ' || line[65] != ' ' || !line[..64].All(Uri.IsHexDigit))
                {
                    _problems.Add($"SHA256SUMS line {i + 1} is not '<sha256>  <file>': {(line.Length > 80 ? line[..80] + "…" : line)}");
                    continue;
                }

                var (expected, name) = (line[..64].ToLowerInvariant(), line[66..]);
                listed.Add(name);
                if (HashOf(name) is { } actual && !string.Equals(actual, expected, StringComparison.Ordinal))
                {
                    _problems.Add($"{name}: SHA-256 is {actual}, SHA256SUMS says {expected}: the file was altered");
                }
            }

            return listed;
        }

        private EvidenceManifest? ParseManifest(byte[]? manifestBytes)
        {
            if (manifestBytes is null)
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize<EvidenceManifest>(manifestBytes, EvidencePackage.Json);
            }
            catch (JsonException ex)
            {
                _problems.Add($"manifest.json is not a valid manifest: {ex.Message}");
                return null;
            }
        }
    }
}
