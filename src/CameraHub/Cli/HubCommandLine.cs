using System.CommandLine;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Import;
using CameraHub.Composition;
using CameraHub.Masking.Cli;

namespace CameraHub.Cli;

/// <summary>
/// One binary does everything: with no verb it serves the hub; verbs run maintenance and offline tasks.
/// Unrecognised options (ASP.NET configuration such as --urls or --CameraHub:Demo=true) pass through to the host.
/// </summary>
public static class HubCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("CameraHub: the city's camera registry, stream broker and evidence exporter. Without a verb it serves the web API.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.SetAction(async (parse, ct) => await ServeAsync(parse.UnmatchedTokens.ToArray(), ct));

        var serve = new Command("serve", "Run the web host (the default).") { TreatUnmatchedTokensAsErrors = false };
        serve.SetAction(async (parse, ct) => await ServeAsync(parse.UnmatchedTokens.ToArray(), ct));
        root.Subcommands.Add(serve);

        var file = new Argument<FileInfo>("file") { Description = "camera CSV in the format documented in README.md" };
        var import = new Command("import", "Import cameras from a CSV file: every row or none; bad rows are listed by line.") { file };
        import.TreatUnmatchedTokensAsErrors = false;
        import.SetAction(async (parse, ct) => await ImportAsync(parse.GetValue(file)!, parse.UnmatchedTokens.ToArray(), ct));
        root.Subcommands.Add(import);

        var migrate = new Command("migrate", "Create or upgrade the database and exit.") { TreatUnmatchedTokensAsErrors = false };
        migrate.SetAction(async (parse, ct) =>
        {
            var app = HubApplication.Build([.. parse.UnmatchedTokens]);
            await HubApplication.PrepareAsync(app, ct);
            Console.WriteLine("Database is up to date.");
            return 0;
        });
        root.Subcommands.Add(migrate);

        root.Subcommands.Add(DiscoverCommand.Create());

        var userName = new Option<string>("--username") { Description = "the administrator's user name", Required = true };
        var createAdmin = new Command("create-admin", "Create an administrator. The password is read from standard input (never a default).") { userName };
        createAdmin.TreatUnmatchedTokensAsErrors = false;
        createAdmin.SetAction(async (parse, ct) => await CreateAdminAsync(parse.GetValue(userName)!, [.. parse.UnmatchedTokens], ct));
        root.Subcommands.Add(createAdmin);

        var database = new Option<FileInfo?>("--database") { Description = "SQLite file to check offline (default: the configured data directory's camerahub.db)" };
        var checkpointFiles = new Option<FileInfo[]>("--checkpoint") { Description = "a checkpoint file the DPO kept (GET /api/audit/checkpoint or the witness); may be repeated" };
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "the audit checkpoint key's public PEM, when the hub's key ring is not at hand" };
        var verifyAudit = new Command("verify-audit", "Recompute the audit log's hash chain, hold it against every signed checkpoint and report truncation and rewriting.")
        {
            database, checkpointFiles, publicKey,
        };
        verifyAudit.TreatUnmatchedTokensAsErrors = false;
        verifyAudit.SetAction(async (parse, ct) => await AuditVerifyCommand.RunAsync(
            parse.GetValue(database), parse.GetValue(checkpointFiles) ?? [], parse.GetValue(publicKey), [.. parse.UnmatchedTokens], ct));
        root.Subcommands.Add(verifyAudit);

        root.Subcommands.Add(CameraHub.Masking.Evidence.VerifyEvidenceCommand.Create());
        root.Subcommands.Add(MaskCommand.Create(async (args, ct) =>
        {
            var app = HubApplication.Build(args);
            await HubApplication.PrepareAsync(app, ct);
            return app.Services;
        }));

        return await root.Parse(args).InvokeAsync();
    }

    private static async Task<int> CreateAdminAsync(string userName, string[] args, CancellationToken ct)
    {
        var password = await Console.In.ReadLineAsync(ct);
        if (string.IsNullOrEmpty(password))
        {
            await Console.Error.WriteLineAsync("Give the password on standard input, e.g. `read -s PW; echo \"$PW\" | camerahub create-admin --username NAME`.");
            return 2;
        }

        var app = HubApplication.Build(args);
        await HubApplication.PrepareAsync(app, ct);
        await using var scope = app.Services.CreateAsyncScope();
        var (user, errors) = await scope.ServiceProvider.GetRequiredService<UserAccounts>()
            .CreateAsync(userName, password, HubRoles.Administrator, null, null, $"cli:{Environment.UserName}", ct);
        if (user is null)
        {
            await Console.Error.WriteLineAsync($"Administrator not created: {string.Join("; ", errors)}");
            return 1;
        }

        Console.WriteLine($"Administrator '{userName}' created.");
        return 0;
    }

    private static async Task<int> ServeAsync(string[] args, CancellationToken ct)
    {
        var app = HubApplication.Build(args);
        HubApplication.AnnounceAddresses(app);
        await app.RunAsync();
        return 0;
    }

    private static async Task<int> ImportAsync(FileInfo file, string[] args, CancellationToken ct)
    {
        if (!file.Exists)
        {
            await Console.Error.WriteLineAsync($"{file.FullName}: no such file");
            return 2;
        }

        var app = HubApplication.Build(args);
        await HubApplication.PrepareAsync(app, ct);
        await using var scope = app.Services.CreateAsyncScope();
        using var reader = new StreamReader(file.FullName);
        var result = await scope.ServiceProvider.GetRequiredService<CameraImporter>().ImportAsync(reader, $"cli:{Environment.UserName}", ct);
        if (result.Succeeded)
        {
            Console.WriteLine($"Imported {result.Imported} cameras from {file.Name}.");
            return 0;
        }

        await Console.Error.WriteLineAsync($"{file.Name}: {result.Errors.Count} problem(s); nothing was imported.");
        foreach (var e in result.Errors)
        {
            await Console.Error.WriteLineAsync($"  line {e.Line}, {e.Field}: {e.Message}");
        }

        return 1;
    }
}
