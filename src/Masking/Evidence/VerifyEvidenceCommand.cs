using System.CommandLine;

namespace CameraHub.Masking.Evidence;

/// <summary>The `verify-evidence` verb: checks a package offline and says exactly what is wrong.</summary>
public static class VerifyEvidenceCommand
{
    public static Command Create()
    {
        var package = new Argument<FileInfo>("package") { Description = "the evidence zip" };
        var fingerprint = new Option<string?>("--fingerprint") { Description = "the signing key fingerprint the city publishes (GET /api/evidence/signing-key)" };
        var command = new Command("verify-evidence", "Check an evidence package's signature and every file's SHA-256, offline.") { package, fingerprint };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(package)!;
            var result = EvidenceVerifier.Verify(file.FullName, parse.GetValue(fingerprint));
            if (result.Intact)
            {
                Console.WriteLine($"{file.Name}: intact. Case {result.CaseNumber}, {result.FilesChecked} files match the signed manifest; signing key {result.SigningKeyFingerprint}.");
                return 0;
            }

            Console.WriteLine($"{file.Name}: NOT intact ({result.Problems.Count} problem(s)):");
            foreach (var problem in result.Problems)
            {
                Console.WriteLine($"  - {problem}");
            }

            return 1;
        });
        return command;
    }
}
