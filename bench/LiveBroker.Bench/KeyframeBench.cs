using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Onvif;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// Cold time to first frame with and without SetSynchronizationPoint, in one process and one run: one fake camera
/// (GStreamer x264, 1280×720 25 fps, GOP 50 = 2 s, no scene cuts) that keeps encoding for another reader as a real
/// camera does, and two brokers on it that differ only in CameraHub:Broker:RequestKeyframes. Trials alternate between
/// them; each starts after the previous path closed (cold) and after a random 0–2 s wait, so the GOP phase a viewer
/// meets is uniform. Prints markdown rows.
/// </summary>
internal static class KeyframeBench
{
    public static async Task<int> RunAsync(int runs)
    {
        await using var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = "bench", EventService = false, Width = 1280, Height = 720, FramesPerSecond = 25, KeyframeInterval = 50,
        });
        using var other = Process.Start(new ProcessStartInfo("ffmpeg", ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", camera.RtspUri!.ToString(), "-c", "copy", "-f", "null", "-"])
        {
            RedirectStandardError = true,
        })!;
        try
        {
            await using var asking = await BrokerAsync(camera, requestKeyframes: true);
            await using var plain = await BrokerAsync(camera, requestKeyframes: false);
            await Task.Delay(TimeSpan.FromSeconds(3));
            var random = new Random(18);
            var withSync = new List<double>();
            var without = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                foreach (var (app, results) in i % 2 == 0 ? new[] { (asking, withSync), (plain, without) } : [(plain, without), (asking, withSync)])
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 2000)));
                    results.Add(await ColdFirstFrameAsync(app));
                }
            }

            Console.WriteLine("| upstream opened | trials | cold time to first frame: median / p90 / max ms |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine(Row("with SetSynchronizationPoint", withSync));
            Console.WriteLine(Row("without (the camera's own GOP)", without));
            Console.WriteLine(FormattableString.Invariant($"\nSetSynchronizationPoint requests the camera answered: {camera.Device!.SynchronizationPoints} for {withSync.Count} cold opens"));
            return 0;
        }
        finally
        {
            other.Kill();
        }
    }

    private static string Row(string name, List<double> ms)
    {
        ms.Sort();
        double P(double q) => ms[(int)Math.Min(ms.Count - 1, q * ms.Count)];
        return FormattableString.Invariant($"| {name} | {ms.Count} | {P(0.5):0} / {P(0.9):0} / {ms[^1]:0} |");
    }

    private static async Task<WebApplication> BrokerAsync(SimulatedCamera camera, bool requestKeyframes)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["CameraHub:Broker:IdleGrace"] = "00:00:01";
        builder.Configuration["CameraHub:Broker:RequestKeyframes"] = requestKeyframes ? "true" : "false";
        builder.Services.AddSingleton<IAccessPolicy, AllowAll>();
        builder.Services.AddSingleton<IAuditLog, NoAudit>();
        builder.Services.AddSingleton<ICameraDirectory>(new BenchDirectory([new CameraSource("bench", "bench", "org", CameraCategory.Traffic, CameraMode.LiveOnly,
            CameraStatus.Active, true, "always", null, camera.RtspUri!.ToString(), camera.DeviceServiceUri.ToString(), RtspTransport.Tcp,
            camera.Options.Username, camera.Options.Password, new MaskingProfile(), [])]));
        builder.Services.AddOnvif(builder.Configuration);
        builder.Services.AddStreamBroker(builder.Configuration);
        var app = builder.Build();
        app.UseWebSockets();
        app.MapStreamBroker();
        await app.StartAsync();
        return app;
    }

    /// <summary>From asking for a session to the first frame, then waits for the path to close (the next trial is cold).</summary>
    private static async Task<double> ColdFirstFrameAsync(WebApplication app)
    {
        var paths = app.Services.GetRequiredService<PathManager>();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var elapsed = await FirstFrameAsync(http);
        while (paths.Find("bench") is not null)
        {
            await Task.Delay(100);
        }

        return Math.Round(elapsed, 0, MidpointRounding.AwayFromZero);
    }

    /// <summary>Milliseconds from asking for a live session to the first frame (message 2; 1 is the init segment).</summary>
    public static async Task<double> FirstFrameAsync(HttpClient http)
    {
        var t0 = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync("/api/cameras/bench/live", null);
        var session = (await response.Content.ReadFromJsonAsync<LiveSessionResponse>(JsonSerializerOptions.Web))!;
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        var buffer = new byte[4 << 20];
        var binary = 0;
        while (binary < 2)
        {
            var r = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (r.EndOfMessage && r.MessageType == WebSocketMessageType.Binary)
            {
                binary++;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        return elapsed;
    }
}
