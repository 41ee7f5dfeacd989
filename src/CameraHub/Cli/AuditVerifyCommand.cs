using System.Text.Json;
using CameraHub.CameraRegistry.Audit;
using CameraHub.Composition;

namespace CameraHub.Cli;

/// <summary>The `verify-audit` verb: the chain, the stored checkpoints, and the checkpoint files the DPO kept.</summary>
public static class AuditVerifyCommand
{
    public static async Task<int> RunAsync(FileInfo? database, FileInfo[] checkpointFiles, FileInfo? publicKey, string[] args, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().AddCommandLine(args).Build();
        var options = configuration.GetSection("CameraHub").Get<HubOptions>() ?? new HubOptions();
        var path = database?.FullName ?? Path.Combine(Path.GetFullPath(options.DataDirectory), "camerahub.db");
        var checkpointOptions = configuration.GetSection("CameraHub:Audit").Get<AuditCheckpointOptions>() ?? new AuditCheckpointOptions();
        try
        {
            var files = new List<AuditCheckpointFile>();
            foreach (var f in checkpointFiles)
            {
                await using var stream = f.OpenRead();
                files.Add(await JsonSerializer.DeserializeAsync<AuditCheckpointFile>(stream, JsonSerializerOptions.Web, ct)
                    ?? throw new InvalidDataException($"{f.Name} is not a checkpoint file"));
            }

            // The key to trust: the one given, else the one in the DPO's own file, else the hub's own (needs its key ring).
            var pem = publicKey is not null ? await File.ReadAllTextAsync(publicKey.FullName, ct)
                : files.Count > 0 ? files[0].PublicKeyPem
                : HubKey(args);
            var result = await AuditChainVerifier.VerifyFileAsync(path, new AuditTrust(pem, [.. files.Select(f => f.ToCheckpoint())], checkpointOptions, null), ct);
            var newest = result.NewestCheckpointSequence is { } n ? $"; newest checkpoint {n:N0} signed at {result.NewestCheckpointAt:yyyy-MM-ddTHH:mm:ssZ}" : string.Empty;
            if (result.Valid)
            {
                Console.WriteLine($"Audit log intact: {result.Entries:N0} entries, head hash {result.HeadHash}, {result.Checkpoints} signed checkpoints match{newest}.");
                return 0;
            }

            Console.WriteLine($"Audit log BROKEN ({result.Problems!.Count} problem(s)){newest}:");
            foreach (var problem in result.Problems)
            {
                Console.WriteLine($"  - {problem}");
            }

            return 1;
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or JsonException or ArgumentException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }

    private static string HubKey(string[] args)
    {
        using var app = HubApplication.Build(args);
        return app.Services.GetRequiredService<AuditCheckpointKey>().PublicKeyPem;
    }
}
