using Microsoft.AspNetCore.DataProtection;

namespace CameraHub.CameraRegistry.Secrets;

/// <summary>Encrypts camera passwords at rest with the installation's data-protection keys.</summary>
public sealed class CredentialProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("CameraHub.CameraCredentials.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
