using CameraHub.CameraRegistry.Persistence;
using Npgsql;

namespace CameraHub.CameraRegistry.Secrets;

/// <summary>
/// Where the installation's protected key blobs live: files in data/keys (SQLite, one process), or rows of the shared
/// database's HubSecrets table (PostgreSQL), so every node signs tokens, checkpoints and evidence with the same keys.
/// </summary>
public sealed class SecretBlobStore
{
    private readonly string _keyDirectory;
    private readonly HubDatabase? _shared;

    private SecretBlobStore(string keyDirectory, HubDatabase? shared)
    {
        _keyDirectory = keyDirectory;
        _shared = shared;
    }

    /// <summary>Files in <paramref name="keyDirectory"/>.</summary>
    public static SecretBlobStore Files(string keyDirectory) => new(keyDirectory, null);

    /// <summary>The shared database on PostgreSQL, else (SQLite, or no database registered) files in <paramref name="keyDirectory"/>.</summary>
    public static SecretBlobStore For(HubDatabase? database, string keyDirectory) => new(keyDirectory, database?.IsPostgreSql == true ? database : null);

    /// <summary>The blob stored as <paramref name="name"/>; when there is none, stores <paramref name="create"/>'s. Nodes racing on the first write all get the winner's.</summary>
    public byte[] GetOrAdd(string name, Func<byte[]> create)
    {
        if (_shared is null)
        {
            Directory.CreateDirectory(_keyDirectory);
            var path = Path.Combine(_keyDirectory, name);
            if (File.Exists(path))
            {
                return File.ReadAllBytes(path);
            }

            var blob = create();
            File.WriteAllBytes(path, blob);
            return blob;
        }

        using var connection = new NpgsqlConnection(_shared.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("""
            INSERT INTO "HubSecrets" ("Name", "Value") VALUES (@name, @value) ON CONFLICT ("Name") DO NOTHING;
            SELECT "Value" FROM "HubSecrets" WHERE "Name" = @name;
            """, connection);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("value", create());
        return (byte[])command.ExecuteScalar()!;
    }
}
