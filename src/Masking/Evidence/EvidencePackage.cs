using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CameraHub.Masking.Evidence;

/// <summary>
/// Writes the evidence zip of DESIGN.md section 7: videos, manifest.json, manifest.sig (ECDSA P-256, DER), the public
/// key in PEM, SHA256SUMS for `sha256sum -c` with its own signature SHA256SUMS.sig, and VERIFY.txt telling the
/// recipient how to check it with unzip, sha256sum and openssl alone. SHA256SUMS names every other file of the package
/// (the manifest and its signature included), and its signature ties it to the key: a recipe of "signature, then
/// checksums, then fingerprint" fails for any altered byte of any file. The zip is written under a temporary name and
/// renamed when complete, so a half package never has the final name.
/// </summary>
public static class EvidencePackage
{
    public const string FormatName = "camerahub-evidence/2";
    public const string ManifestName = "manifest.json";
    public const string SignatureName = "manifest.sig";
    public const string PublicKeyName = "public-key.pem";
    public const string ChecksumsName = "SHA256SUMS";
    public const string ChecksumsSignatureName = "SHA256SUMS.sig";
    public const string InstructionsName = "VERIFY.txt";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Hashes the videos, builds and signs the manifest, and writes the package to <paramref name="zipPath"/>.</summary>
    public static async Task<(EvidenceManifest Manifest, string PackageSha256)> WriteAsync(
        string zipPath, IReadOnlyList<(string Name, string SourcePath)> videos, Func<IReadOnlyDictionary<string, string>, EvidenceManifest> manifestFor,
        EvidenceSigningKey key, CancellationToken ct)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in videos)
        {
            await using var stream = File.OpenRead(path);
            files[name] = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        }

        var publicKey = Encoding.ASCII.GetBytes(key.PublicKeyPem);
        files[PublicKeyName] = Hash(publicKey);
        var manifestDraft = manifestFor(files);
        var instructions = Encoding.UTF8.GetBytes(Instructions(manifestDraft.CaseNumber, manifestDraft.CreatedAt, key.Fingerprint));
        files[InstructionsName] = Hash(instructions);
        var manifest = manifestFor(files);
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
        var signature = key.Sign(manifestBytes);

        var sums = new StringBuilder();
        foreach (var (name, hash) in files.Append(new(ManifestName, Hash(manifestBytes))).Append(new(SignatureName, Hash(signature))).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            sums.Append(hash).Append("  ").Append(name).Append('\n');
        }

        var sumsBytes = Encoding.ASCII.GetBytes(sums.ToString());
        var sumsSignature = key.Sign(sumsBytes);

        var partial = zipPath + ".partial";
        File.Delete(partial);
        await using (var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create))
        {
            foreach (var (name, path) in videos)
            {
                // Video is already compressed: store it, which also keeps `unzip` fast for the recipient.
                var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                await using var target = await entry.OpenAsync(ct);
                await using var source = File.OpenRead(path);
                await source.CopyToAsync(target, ct);
            }

            await AddAsync(zip, ManifestName, manifestBytes, ct);
            await AddAsync(zip, SignatureName, signature, ct);
            await AddAsync(zip, PublicKeyName, publicKey, ct);
            await AddAsync(zip, InstructionsName, instructions, ct);
            await AddAsync(zip, ChecksumsName, sumsBytes, ct);
            await AddAsync(zip, ChecksumsSignatureName, sumsSignature, ct);
        }

        string packageHash;
        await using (var written = File.OpenRead(partial))
        {
            packageHash = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, ct));
        }

        File.Move(partial, zipPath, overwrite: true);
        return (manifest, packageHash);
    }

    private static async Task AddAsync(ZipArchive zip, string name, byte[] content, CancellationToken ct)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        await using var stream = await entry.OpenAsync(ct);
        await stream.WriteAsync(content, ct);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The file name the hub gives a package on download; VERIFY.txt's recipe starts from it.</summary>
    public static string DownloadName(string caseNumber) => $"evidence-{caseNumber}.zip";

    /// <summary>The lines of VERIFY.txt that start with "$ " are the recipe, to be run in order; each must succeed.</summary>
    public const string CommandPrefix = "$ ";

    private static string Instructions(string caseNumber, DateTime created, string fingerprint) => string.Create(CultureInfo.InvariantCulture, $"""
        Evidence package for case {caseNumber}, created {created:yyyy-MM-ddTHH:mm:ssZ} by CameraHub.
        Bevispaket för ärende {caseNumber}. Kontrollera det så här / check it like this.

        You need only unzip, sha256sum (GNU coreutils) and openssl. Run the commands after "$" in order, in a
        terminal; every one must succeed (exit status 0). If any one fails, the package is not as the city signed it.

          0. Unzip the package into a new folder and go there:
               $ unzip -q {DownloadName(caseNumber)} -d evidence-{caseNumber}
               $ cd evidence-{caseNumber}

          1. The list of checksums was signed by the key in the package (must print "Verified OK"):
               $ openssl dgst -sha256 -verify public-key.pem -signature SHA256SUMS.sig SHA256SUMS

          2. Every file is the one whose checksum was signed: the videos, manifest.json, manifest.sig,
             public-key.pem and this file (every line must say OK; any FAILED or missing file fails):
               $ sha256sum --strict -c SHA256SUMS

          3. The key is the city's: what this prints must equal the fingerprint the city publishes
             (GET /api/evidence/signing-key on its CameraHub, or its website) -- not only the one below,
             which anyone who rewrote the package could have rewritten too:
               $ openssl pkey -pubin -in public-key.pem -outform DER | sha256sum
             fingerprint when the package was made: {fingerprint}

        Optional: manifest.json is also signed on its own (openssl dgst -sha256 -verify public-key.pem
        -signature manifest.sig manifest.json); step 2 already proves it is unchanged.

        manifest.json lists the case, who requested and who approved the export, each camera's legal basis and
        masking profile (with the SHA-256 of the mask applied), the exact UTC window of every video, the gaps where
        no footage exists, and the SHA-256 of the original recorded segments the masked videos were cut from; those
        originals are kept unaltered under legal hold by the camera owner.

        """);
}
