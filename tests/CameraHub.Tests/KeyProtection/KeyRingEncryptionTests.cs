using System.Security.Cryptography;
using CameraHub.CameraRegistry.Secrets;
using CameraHub.Composition;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.KeyProtection;

/// <summary>The key ring on disk is wrapped by a key kept outside the data directory; without that key no secret opens.</summary>
public sealed class KeyRingEncryptionTests : IDisposable
{
    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _data = Directory.CreateTempSubdirectory("camerahub-kek-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    [Trait("Database", "SqliteFile")] // reads the ring's files; on PostgreSQL it is in the database: SharedKeyRingPostgresTests
    public async Task Keys_on_disk_are_wrapped_and_secrets_open_only_with_the_same_key_encryption_key()
    {
        string sealedSecret;
        await using (var first = Hub(KeyA))
        {
            sealedSecret = Protector(first).Protect("camera-password-1");
        }

        var ring = string.Concat(Directory.GetFiles(Path.Combine(_data, "keys"), "*.xml").Select(File.ReadAllText));
        Assert.Contains("aesGcmWrappedKey", ring, StringComparison.Ordinal);
        Assert.DoesNotContain("unencrypted form", ring, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", ring, StringComparison.Ordinal);

        await using (var again = Hub(KeyA))
        {
            Assert.Equal("camera-password-1", Protector(again).Unprotect(sealedSecret));
        }

        // With another key-encryption key the hub refuses to start, naming both keys, instead of starting a new ring.
        var wrong = HubApplication.Build(["--urls", "http://127.0.0.1:0", $"--CameraHub:DataDirectory={_data}", $"--CameraHub:KeyEncryptionKey={KeyB}"]);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => wrong.StartAsync());
        Assert.Contains("was encrypted with key-encryption key", error.ToString(), StringComparison.Ordinal);
        await wrong.DisposeAsync();
    }

    [Theory]
    [InlineData("not base64!", "is not base64")]
    [InlineData("c2hvcnQ=", "is 5 bytes; it must be 32")]
    public void A_malformed_key_encryption_key_stops_the_hub_with_the_reason(string key, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => HubApplication.Build([$"--CameraHub:DataDirectory={_data}", $"--CameraHub:KeyEncryptionKey={key}"]));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private HubFactory Hub(string key) => new(settings: new Dictionary<string, string>
    {
        ["CameraHub:DataDirectory"] = _data,
        ["CameraHub:KeyEncryptionKey"] = key,
    });

    private static CredentialProtector Protector(HubFactory hub) => hub.Services.GetRequiredService<CredentialProtector>();
}
