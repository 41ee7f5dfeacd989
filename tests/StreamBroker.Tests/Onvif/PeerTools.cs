using CameraHub.Tests.Shared;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>Independent programs that judge the fake camera: ffprobe and the npm 'onvif' client.</summary>
internal static class PeerTools
{
    /// <summary>The repository root (where CameraHub.sln lives).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Installs the npm 'onvif' client into tests/onvif-peer if a fresh machine does not have it yet.</summary>
    public static async Task<string> OnvifPeerAsync()
    {
        var folder = Path.Combine(RepositoryRoot, "tests", "onvif-peer");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "onvif")))
        {
            var (code, _, errors) = await Tool.RunApartAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(2), folder);
            Assert.True(code == 0, $"npm ci in {folder} failed: {errors}");
        }

        return folder;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CameraHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CameraHub.sln not found above the test binaries");
    }
}
