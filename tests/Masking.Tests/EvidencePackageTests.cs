using System.Diagnostics;
using System.IO.Compression;
using CameraHub.Masking.Evidence;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.DataProtection;

namespace CameraHub.Masking.Tests;

[Trait("Category", "Integration")]
public sealed class EvidencePackageTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EvidenceSigningKey _key;
    private string _zip = null!;

    public EvidencePackageTests()
    {
        _key = new EvidenceSigningKey(_folder.File("keys"), new EphemeralDataProtectionProvider());
    }

    public async Task InitializeAsync()
    {
        var video = _folder.File("clip.mp4");
        Assert.Equal(0, (await Tool.RunAsync("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", video)).Code);
        _zip = _folder.File("evidence.zip");
        var from = new DateTime(2026, 11, 20, 22, 0, 0, DateTimeKind.Utc);
        await EvidencePackage.WriteAsync(_zip, [("videos/SKO-001-K01-20261120T220000Z.mp4", video)], files => new EvidenceManifest
        {
            Format = EvidencePackage.FormatName, RequestId = Guid.NewGuid(), CaseNumber = "5000-K123456-26", RequestedBy = "police", ApprovedBy = "schools",
            Reason = "Skadegörelse", From = from, To = from.AddSeconds(2), Files = files, Software = "CameraHub test", CreatedAt = from.AddDays(1),
            SigningKeyFingerprint = _key.Fingerprint,
            Cameras = [new EvidenceCamera
            {
                Id = "SKO-001-K01", Name = "Skola", Owner = "grundskolenamnden", LegalBasis = "BalancingOfInterests", MaskingProfile = "FacadeDistance 2 m",
                MaskSha256 = new string('a', 64), Videos = [new EvidenceVideo("videos/SKO-001-K01-20261120T220000Z.mp4", from, from.AddSeconds(2), 20, 0)],
                SourceSegments = [], Gaps = [],
            }],
        }, _key, default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _key.Dispose();
        _folder.Dispose();
    }

    private string Unzip(string zip)
    {
        var dir = _folder.File("unzipped-" + Guid.NewGuid().ToString("N"));
        ZipFile.ExtractToDirectory(zip, dir);
        return dir;
    }

    [Fact]
    public async Task A_fresh_package_verifies_with_our_verifier_and_with_sha256sum_and_openssl()
    {
        var ours = EvidenceVerifier.Verify(_zip, _key.Fingerprint);
        Assert.True(ours.Intact, string.Join("; ", ours.Problems));
        Assert.Equal("5000-K123456-26", ours.CaseNumber);

        var dir = Unzip(_zip);
        var sums = await Tool.RunInAsync(dir, "sha256sum", "-c", "SHA256SUMS");
        Assert.Equal(0, sums.Code);
        Assert.Contains("videos/SKO-001-K01-20261120T220000Z.mp4: OK", sums.Output, StringComparison.Ordinal);
        var signature = await Tool.RunInAsync(dir, "openssl", "dgst", "-sha256", "-verify", "public-key.pem", "-signature", "manifest.sig", "manifest.json");
        Assert.Equal(0, signature.Code);
        Assert.Contains("Verified OK", signature.Output, StringComparison.Ordinal);
        var fingerprint = await Tool.RunInAsync(dir, "sh", "-c", "openssl pkey -pubin -in public-key.pem -outform DER | sha256sum");
        Assert.StartsWith(_key.Fingerprint, fingerprint.Output, StringComparison.Ordinal);
        Assert.Contains(_key.Fingerprint, await File.ReadAllTextAsync(Path.Combine(dir, "VERIFY.txt")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("videos/SKO-001-K01-20261120T220000Z.mp4", "videos/SKO-001-K01-20261120T220000Z.mp4: SHA-256")]
    [InlineData("manifest.json", "manifest.sig does not match manifest.json")]
    [InlineData("manifest.sig", "manifest.sig does not match manifest.json")]
    [InlineData("VERIFY.txt", "VERIFY.txt: SHA-256")]
    public async Task Flipping_one_byte_of_any_file_is_caught_and_named(string entryName, string expectedProblem)
    {
        var tampered = _folder.File($"tampered-{Guid.NewGuid():N}.zip");
        File.Copy(_zip, tampered);
        using (var zip = ZipFile.Open(tampered, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry(entryName)!;
            byte[] bytes;
            using (var stream = entry.Open())
            using (var buffer = new MemoryStream())
            {
                await stream.CopyToAsync(buffer);
                bytes = buffer.ToArray();
            }

            bytes[bytes.Length / 2] ^= 0x01;
            entry.Delete();
            using var rewritten = zip.CreateEntry(entryName).Open();
            await rewritten.WriteAsync(bytes);
        }

        var result = EvidenceVerifier.Verify(tampered);

        Assert.False(result.Intact);
        Assert.Contains(result.Problems, p => p.Contains(expectedProblem, StringComparison.Ordinal));
        var dir = Unzip(tampered);
        var sums = await Tool.RunInAsync(dir, "sha256sum", "-c", "SHA256SUMS");
        var signature = await Tool.RunInAsync(dir, "openssl", "dgst", "-sha256", "-verify", "public-key.pem", "-signature", "manifest.sig", "manifest.json");
        Assert.True(sums.Code != 0 || signature.Code != 0, "standard tools must notice the change too");
    }

    [Fact]
    public void A_package_signed_by_another_key_is_refused_when_the_published_fingerprint_is_given()
    {
        var result = EvidenceVerifier.Verify(_zip, new string('0', 64));
        Assert.False(result.Intact);
        Assert.Contains(result.Problems, p => p.Contains("not by the expected key", StringComparison.Ordinal));
    }

    [Fact]
    public void Something_that_is_not_a_zip_is_reported_not_thrown()
    {
        var bogus = _folder.File("bogus.zip");
        File.WriteAllText(bogus, "not a zip");
        var result = EvidenceVerifier.Verify(bogus);
        Assert.False(result.Intact);
        Assert.Contains("not a readable zip", Assert.Single(result.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void The_signing_key_survives_a_restart_and_stays_encrypted_at_rest()
    {
        var protection = new EphemeralDataProtectionProvider();
        var dir = _folder.File("keys2");
        using var first = new EvidenceSigningKey(dir, protection);
        using var second = new EvidenceSigningKey(dir, protection);
        Assert.Equal(first.Fingerprint, second.Fingerprint);
        var stored = File.ReadAllBytes(Path.Combine(dir, "evidence-signing.key"));
        Assert.DoesNotContain("PRIVATE", System.Text.Encoding.ASCII.GetString(stored), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5000-K123456-26", true)]
    [InlineData("1400-K1-25", true)]
    [InlineData("K123456-26", false)]
    [InlineData("5000-123456-26", false)]
    [InlineData("", false)]
    public void Case_numbers_follow_the_police_diarienummer_format(string value, bool valid) => Assert.Equal(valid, CaseNumber.IsValid(value));
}
