namespace CameraHub.Tests.Shared;

/// <summary>Debian's Chromium (never a downloaded browser) as the browser tests launch it: headless and kept on this machine.</summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// No sandbox (CI containers), no GPU, no first-run or background services; and every host name but 127.0.0.1
    /// resolves to nothing, so whatever the browser might try to fetch on its own never leaves the machine.
    /// </summary>
    public static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ];
}
