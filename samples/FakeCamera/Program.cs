using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace CameraHub.FakeCamera;

/// <summary>
/// Runs fake cameras from the command line until Ctrl+C:
/// <c>dotnet run --project samples/FakeCamera -- TRF-001="Tingstadstunneln norr" SKO-001-K01="Torslandaskolan"</c>
/// (no arguments: three cameras).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var cameras = args.Length == 0
            ? [("FAKE-1", "Fake camera 1"), ("FAKE-2", "Fake camera 2"), ("FAKE-3", "Fake camera 3")]
            : args.Select(a => a.Split('=', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : p[0])).ToList();
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Information));
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        await using var fleet = await FakeCameraFleet.StartAsync(cameras, loggers, stop.Token);
        foreach (var camera in fleet.Cameras)
        {
            Console.WriteLine($"{camera.CameraId}: onvif {camera.OnvifUrl} (user {camera.Username}, password {camera.Password})  rtsp {camera.RtspUrl}  discovery udp {camera.DiscoveryEndpoint}");
        }

        Console.WriteLine("Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
