using System.CommandLine;

namespace CameraHub.Masking.Evidence;

/// <summary>The `verify-evidence` verb: checks a package offline and says exactly what is wrong.</summary>
public static class VerifyEvidenceCommand
{
    public static Command Create()
    {
        var package = new Argument<FileInfo>("package") { Description = "the evidence zip" };
        var fingerprint = new Option<string?>("--fingerprint") { Description = "the signing key fingerprint the city publishes (GET /api/evidence/signing-key)" };
        var command = new Command("verify-evidence", "Check an evidence package offline: everything VERIFY.txt checks (signed SHA256SUMS, every file, the key's fingerprint) and the signed manifest.") { package, fingerprint };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(package)!;
            var result = EvidenceVerifier.Verify(file.FullName, parse.GetValue(fingerprint));
            if (result.Intact)
            {
                Console.WriteLine($"{file.Name}: intact. Case {result.CaseNumber}, {result.FilesChecked} files match the signed SHA256SUMS and manifest; signing key {result.SigningKeyFingerprint}.");
                if (parse.GetValue(fingerprint) is null)
                {
                    // VERIFY.txt's step 3: without the published fingerprint a re-signed package would look intact.
                    Console.WriteLine("  Not checked: that this key is the city's. Compare the key above with GET /api/evidence/signing-key, or pass --fingerprint.");
                }

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
