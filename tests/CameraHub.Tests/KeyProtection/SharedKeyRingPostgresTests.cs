using System.Security.Cryptography;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using CameraHub.Composition;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CameraHub.Tests.KeyProtection;

/// <summary>
/// Two hubs (separate data directories, as on two machines) on one PostgreSQL database: one key ring and one token key
/// for both, still wrapped by the key-encryption key, and a hub with another key-encryption key refuses to start.
/// </summary>
[Trait("Database", "PostgreSql")]
public sealed class SharedKeyRingPostgresTests : IDisposable
{
    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly TestDatabase _database = TestDatabase.CreatePostgres();

    public void Dispose() => _database.Dispose();

    private HubFactory Node(string key) => new(settings: new Dictionary<string, string>(_database.Settings) { ["CameraHub:KeyEncryptionKey"] = key });

    [Fact]
    public async Task Secrets_and_bearer_tokens_of_one_node_open_on_the_other()
    {
        await using var a = Node(KeyA);
        await a.CreateUserAsync("admin", HubRoles.Administrator);
        var sealedOnA = a.Services.GetRequiredService<CredentialProtector>().Protect("camera-password-1");
        await using var b = Node(KeyA);

        Assert.Equal("camera-password-1", b.Services.GetRequiredService<CredentialProtector>().Unprotect(sealedOnA));
        var signedInOnA = await a.SignInAsAsync("admin");
        using var onB = b.CreateClient();
        onB.DefaultRequestHeaders.Authorization = signedInOnA.DefaultRequestHeaders.Authorization;
        using var response = await onB.GetAsync("/api/cameras");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

        // The ring is in the database, wrapped; neither data directory holds a key.
        await using var connection = new NpgsqlConnection(_database.Database.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("""SELECT string_agg("Xml", '') FROM "DataProtectionKeys" """, connection);
        var ring = (string)(await read.ExecuteScalarAsync())!;
        Assert.Contains("aesGcmWrappedKey", ring, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", ring, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(Path.Combine(b.DataDirectory, "keys")) ? Directory.GetFiles(Path.Combine(b.DataDirectory, "keys")) : []);
    }

    [Fact]
    public async Task A_node_with_another_key_encryption_key_refuses_to_start()
    {
        await using (var a = Node(KeyA))
        {
            a.Services.GetRequiredService<CredentialProtector>().Protect("camera-password-1");
        }

        var data = Directory.CreateTempSubdirectory("camerahub-kek-").FullName;
        try
        {
            var wrong = HubApplication.Build(["--urls", "http://127.0.0.1:0", $"--CameraHub:DataDirectory={data}", $"--CameraHub:KeyEncryptionKey={KeyB}",
                $"--{HubDatabase.ProviderKey}=PostgreSql", $"--ConnectionStrings:CameraHub={_database.Database.ConnectionString}"]);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => wrong.StartAsync());
            Assert.Contains("was encrypted with key-encryption key", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("the shared database", error.ToString(), StringComparison.Ordinal);
            await wrong.DisposeAsync();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
