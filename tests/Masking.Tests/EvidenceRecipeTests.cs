using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CameraHub.Masking.Evidence;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.DataProtection;

namespace CameraHub.Masking.Tests;

/// <summary>
/// A recipient follows VERIFY.txt literally (its "$ " lines, in order, with bash, unzip, sha256sum and openssl) and
/// CameraHub's verify-evidence checks the same package: both pass the untouched package and both fail every altered one.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EvidenceRecipeTests : IAsyncLifetime, IDisposable
{
    private const string Case = "5000-K123456-26";
    private const string Video = "videos/TRF-001-20261120T220000Z.mp4";
    private readonly TempFolder _folder = new();
    private readonly EvidenceSigningKey _key;
    private string _zip = null!;

    public EvidenceRecipeTests()
    {
        _key = new EvidenceSigningKey(_folder.File("keys"), new EphemeralDataProtectionProvider());
    }

    public async Task InitializeAsync()
    {
        // Any bytes do for the video: the recipe and the verifier check hashes, not codecs.
        var video = _folder.File("clip.mp4");
        await File.WriteAllBytesAsync(video, RandomNumberGenerator.GetBytes(64 * 1024));
        _zip = _folder.File("original.zip");
        var from = new DateTime(2026, 11, 20, 22, 0, 0, DateTimeKind.Utc);
        await EvidencePackage.WriteAsync(_zip, [(Video, video)], files => new EvidenceManifest
        {
            Format = EvidencePackage.FormatName, RequestId = Guid.NewGuid(), CaseNumber = Case, RequestedBy = "police", ApprovedBy = "traffic-owner",
            Reason = "Trafikolycka", From = from, To = from.AddSeconds(2), Files = files, Software = "CameraHub test", CreatedAt = from.AddDays(1),
            SigningKeyFingerprint = _key.Fingerprint,
            Cameras = [new EvidenceCamera
            {
                Id = "TRF-001", Name = "E6", Owner = "stadsmiljonamnden", LegalBasis = "BalancingOfInterests", MaskingProfile = "None",
                Videos = [new EvidenceVideo(Video, from, from.AddSeconds(2), 20, 0)], SourceSegments = [], Gaps = [],
            }],
        }, _key, default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _key.Dispose();
        _folder.Dispose();
    }

    private static byte[] Entry(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>A copy of the package with some entries replaced, in a folder of its own under the download name.</summary>
    private string Altered(Func<ZipArchive, Dictionary<string, byte[]>> changes)
    {
        var dir = Directory.CreateDirectory(_folder.File(Guid.NewGuid().ToString("N"))).FullName;
        var zipPath = Path.Combine(dir, EvidencePackage.DownloadName(Case));
        File.Copy(_zip, zipPath);
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        foreach (var (name, bytes) in changes(zip))
        {
            zip.GetEntry(name)!.Delete();
            using var stream = zip.CreateEntry(name).Open();
            stream.Write(bytes);
        }

        return zipPath;
    }

    private static byte[] Flipped(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0x01;
        return copy;
    }

    /// <summary>Runs VERIFY.txt's "$ " lines in order, as a recipient would type them, next to the package.</summary>
    private async Task<(bool Passed, string Output)> FollowRecipeAsync(string zipPath)
    {
        string instructions;
        using (var original = ZipFile.OpenRead(_zip))
        {
            instructions = Encoding.UTF8.GetString(Entry(original, EvidencePackage.InstructionsName));
        }

        var commands = instructions.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(EvidencePackage.CommandPrefix, StringComparison.Ordinal))
            .Select(l => l[EvidencePackage.CommandPrefix.Length..]).ToList();
        Assert.Equal(5, commands.Count);
        Assert.Contains(commands, c => c.StartsWith("unzip", StringComparison.Ordinal));
        Assert.All(commands, c => Assert.Matches("^(unzip|cd|openssl|sha256sum) ", c));
        var script = "set -e -o pipefail\n" + string.Join('\n', commands) + "\n";
        var (code, output) = await Tool.RunInAsync(Path.GetDirectoryName(zipPath), "bash", "-c", script);
        // Step 3 is a comparison the recipient makes: the printed fingerprint must be the one the city publishes.
        var published = output.Split('\n').Any(l => l.StartsWith(_key.Fingerprint + "  -", StringComparison.Ordinal));
        return (code == 0 && output.Contains("Verified OK", StringComparison.Ordinal) && published, output);
    }

    [Fact]
    public async Task The_untouched_package_passes_the_recipe_and_verify_evidence()
    {
        var zipPath = Altered(_ => []);
        var (passed, output) = await FollowRecipeAsync(zipPath);
        Assert.True(passed, output);
        Assert.Contains($"{Video}: OK", output, StringComparison.Ordinal);
        var ours = EvidenceVerifier.Verify(zipPath, _key.Fingerprint);
        Assert.True(ours.Intact, string.Join("; ", ours.Problems));
        Assert.Equal(5, ours.FilesChecked); // the video, manifest.json, manifest.sig, public-key.pem, VERIFY.txt
    }

    public static TheoryData<string> Alterations => new()
    {
        "video", "SHA256SUMS", "manifest.json", "video and its SHA256SUMS line", "manifest.sig", "public-key.pem", "VERIFY.txt", "SHA256SUMS.sig",
    };

    [Theory]
    [MemberData(nameof(Alterations))]
    public async Task An_altered_package_fails_the_recipe_and_verify_evidence(string alteration)
    {
        var zipPath = Altered(zip => alteration switch
        {
            "video" => new() { [Video] = Flipped(Entry(zip, Video)) },
            "video and its SHA256SUMS line" => RewrittenVideoAndSums(zip),
            _ => new() { [alteration] = Flipped(Entry(zip, alteration)) },
        });

        var (passed, output) = await FollowRecipeAsync(zipPath);
        Assert.False(passed, $"the recipe passed a package with {alteration} altered:\n{output}");
        var ours = EvidenceVerifier.Verify(zipPath, _key.Fingerprint);
        Assert.False(ours.Intact, $"verify-evidence passed a package with {alteration} altered");
    }

    [Fact]
    public async Task A_package_re_signed_with_another_key_fails_the_fingerprint_step_and_verify_evidence()
    {
        using var forger = new EvidenceSigningKey(_folder.File("forger-keys"), new EphemeralDataProtectionProvider());
        var zipPath = Altered(zip =>
        {
            var video = Flipped(Entry(zip, Video));
            var pem = Encoding.ASCII.GetBytes(forger.PublicKeyPem);
            var sums = Encoding.ASCII.GetString(Entry(zip, EvidencePackage.ChecksumsName))
                .Replace(Hex(Entry(zip, Video)), Hex(video), StringComparison.Ordinal)
                .Replace(Hex(Entry(zip, EvidencePackage.PublicKeyName)), Hex(pem), StringComparison.Ordinal);
            var sumsBytes = Encoding.ASCII.GetBytes(sums);
            return new()
            {
                [Video] = video, [EvidencePackage.PublicKeyName] = pem, [EvidencePackage.ChecksumsName] = sumsBytes,
                [EvidencePackage.ChecksumsSignatureName] = forger.Sign(sumsBytes),
            };
        });

        var (passed, output) = await FollowRecipeAsync(zipPath);
        Assert.False(passed, output);
        Assert.Contains("Verified OK", output, StringComparison.Ordinal); // only the published fingerprint exposes it
        Assert.Contains(EvidenceVerifier.Verify(zipPath, _key.Fingerprint).Problems, p => p.Contains("not by the expected key", StringComparison.Ordinal));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static Dictionary<string, byte[]> RewrittenVideoAndSums(ZipArchive zip)
    {
        var video = Flipped(Entry(zip, Video));
        var sums = Encoding.ASCII.GetString(Entry(zip, EvidencePackage.ChecksumsName)).Replace(Hex(Entry(zip, Video)), Hex(video), StringComparison.Ordinal);
        return new() { [Video] = video, [EvidencePackage.ChecksumsName] = Encoding.ASCII.GetBytes(sums) };
    }
}
