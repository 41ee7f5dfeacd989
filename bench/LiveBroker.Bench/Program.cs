using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.StreamBroker;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Sharing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Live broker benchmark (bench/RESULTS.md "Live broker"), two roles so the hub's CPU can be measured alone:
//   serve RTSP_URL udp|tcp [RTSP_PORT]
//                               a broker with an allow-all policy on 127.0.0.1:PORT (printed), camera id "bench";
//                               with RTSP_PORT also the partner RTSP server (user bench, password bench), printing
//                               "partnerBytes N" every second (bench/RESULTS.md "Partner RTSP")
//                               with BENCH_MASK_PNG set (a grey PNG, white = obscured) the camera requires masking
//                               and partners get its masked re-encode with that mask (bench/partner-masked.sh);
//                               BENCH_CAMERAS=N serves N such cameras bench, bench2, … (bench/masked-paths.sh)
//   load HUB_URL VIEWERS SECONDS RTSP_URL udp|tcp
//                               N WebSocket viewers; time to first frame; per-fragment delay of the broker
//                               relative to a direct ffmpeg reader of the same RTSP source (matched by frame bytes:
//                               decode times restart at 0 in each ffmpeg, the copied frame data does not change)
//   keyframes RUNS              cold time to first frame with and without asking the camera for a keyframe
//                               (SetSynchronizationPoint), alternating, on one fake camera (bench/RESULTS.md
//                               "Keyframe on request"; KeyframeBench.cs)
return args[0] switch
{
    "keyframes" => await KeyframeBench.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture)),
    "serve" => await ServeAsync(args[1], args[2], args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0),
    "load" => await LoadAsync(new Uri(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), args[4], args[5]),
    _ => 2,
};

static async Task<int> ServeAsync(string rtspUrl, string transport, int partnerRtspPort)
{
    var builder = WebApplication.CreateBuilder();
    builder.Configuration["CameraHub:RtspPort"] = partnerRtspPort.ToString(CultureInfo.InvariantCulture);
    if (Environment.GetEnvironmentVariable("BENCH_WARM") == "1")
    {
        // The camera's category is kept warm: its upstream runs before the first viewer arrives.
        builder.Configuration["CameraHub:Broker:WarmCategories:0"] = nameof(CameraCategory.Traffic);
    }

    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    var maskPng = Environment.GetEnvironmentVariable("BENCH_MASK_PNG");
    var masking = maskPng is null ? new MaskingProfile() : new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [1, 0], [1, 1]]] };
    // BENCH_CAMERAS=N: N cameras ("bench", "bench2", …) reading the same source, each with its own upstream (and masked encoder).
    var count = int.TryParse(Environment.GetEnvironmentVariable("BENCH_CAMERAS"), CultureInfo.InvariantCulture, out var n) ? Math.Max(1, n) : 1;
    var cameras = new BenchDirectory([.. Enumerable.Range(1, count).Select(i => new CameraSource(i == 1 ? "bench" : $"bench{i}", "bench", "org", CameraCategory.Traffic,
        CameraMode.LiveOnly, CameraStatus.Active, true, "always", null, rtspUrl, null, transport == "udp" ? RtspTransport.Udp : RtspTransport.Tcp, null, null, masking, []))]);
    if (maskPng is not null)
    {
        builder.Services.AddSingleton<IFeedMasks>(new FileMask(await File.ReadAllBytesAsync(maskPng)));
    }

    builder.Services.AddSingleton<IAccessPolicy, AllowAll>();
    builder.Services.AddSingleton<IAuditLog, NoAudit>();
    builder.Services.AddSingleton<ICameraDirectory>(cameras);
    builder.Services.AddStreamBroker(builder.Configuration);
    builder.Services.AddSingleton<ISharingPolicy, ShareAll>();
    builder.Services.AddPartnerStreaming(builder.Configuration);
    var app = builder.Build();
    app.UseWebSockets();
    app.MapStreamBroker();
    await app.StartAsync();
    Console.WriteLine($"ready {app.Urls.First()} pid {Environment.ProcessId}");
    using var stopStats = new CancellationTokenSource();
    var stats = partnerRtspPort <= 0 ? Task.CompletedTask : Task.Run(async () =>
    {
        var sessions = app.Services.GetRequiredService<PartnerSessions>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stopStats.Token))
            {
                Console.WriteLine(FormattableString.Invariant($"partnerBytes {sessions.Open.Sum(s => s.BytesSent)} sessions {sessions.Open.Count}"));
            }
        }
        catch (OperationCanceledException)
        {
        }
    });
    await Console.In.ReadToEndAsync();
    await stopStats.CancelAsync();
    await stats;
    await app.StopAsync();
    return 0;
}

static async Task<int> LoadAsync(Uri hub, int viewers, int seconds, string rtspUrl, string transport)
{
    // Direct reader: when did each fragment (by decode time) leave an RTSP client of our own?
    var direct = new Dictionary<string, List<long>>();
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 5));
    var directTask = Task.Run(async () =>
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-v", "error", "-rtsp_transport", transport, "-i", rtspUrl, "-map", "0:v:0", "-c", "copy", "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_every_frame", "pipe:1" })
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        _ = p.StandardError.ReadToEndAsync();
        using var kill = stop.Token.Register(() => p.Kill());
        try
        {
            await foreach (var m in new FragmentedMp4Parser(p.StandardOutput.BaseStream).ReadAsync(CancellationToken.None))
            {
                if (m is Fragment f)
                {
                    lock (direct)
                    {
                        // The clip loops, so the same frame bytes recur every loop: keep every arrival.
                        var key = Key(f);
                        if (!direct.TryGetValue(key, out var list))
                        {
                            direct[key] = list = [];
                        }

                        list.Add(Stopwatch.GetTimestamp());
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
        }
    });

    using var http = new HttpClient { BaseAddress = hub };
    var ttff = new double[viewers];
    var delays = new List<double>();
    long bytes = 0;
    var started = Stopwatch.GetTimestamp();
    var tasks = Enumerable.Range(0, viewers).Select(i => Task.Run(async () =>
    {
        var t0 = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync("/api/cameras/bench/live", null);
        var session = (await response.Content.ReadFromJsonAsync<LiveSessionResponse>(JsonSerializerOptions.Web))!;
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        var buffer = new byte[4 << 20];
        var gotFrame = false;
        var binary = 0;
        try
        {
            while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds)
            {
                var filled = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await socket.ReceiveAsync(buffer.AsMemory(filled), stop.Token);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        throw new WebSocketException("closed by the hub");
                    }

                    filled += r.Count;
                }
                while (!r.EndOfMessage);

                var now = Stopwatch.GetTimestamp();
                Interlocked.Add(ref bytes, filled);
                if (r.MessageType != WebSocketMessageType.Binary)
                {
                    continue;
                }

                binary++;
                if (binary == 2 && !gotFrame)
                {
                    // message 1 is the init segment, message 2 the first keyframe fragment
                    ttff[i] = Stopwatch.GetElapsedTime(t0, now).TotalMilliseconds;
                    gotFrame = true;
                }

                if (binary > 2 && i % Math.Max(1, viewers / 10) == 0)
                {
                    await foreach (var m in new FragmentedMp4Parser(new MemoryStream(buffer, 0, filled)).ReadAsync(CancellationToken.None))
                    {
                        if (m is Fragment f)
                        {
                            lock (direct)
                            {
                                if (direct.TryGetValue(Key(f), out var arrivals))
                                {
                                    // Same frame of the same loop: the direct arrival nearest in time (negative = broker first).
                                    // A match a whole loop away means the direct reader has not got this frame yet: skip it.
                                    var d = arrivals.MinBy(a => Math.Abs(Stopwatch.GetElapsedTime(a, now).TotalMilliseconds));
                                    var ms = Stopwatch.GetElapsedTime(d, now).TotalMilliseconds;
                                    if (Math.Abs(ms) < 3000)
                                    {
                                        lock (delays)
                                        {
                                            delays.Add(ms);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or AggregateException)
        {
        }
    })).ToArray();
    // A viewer joining a running camera: it should get the init and the latest keyframe at once.
    await Task.Delay(TimeSpan.FromSeconds(seconds / 2.0));
    var warm = await TimeToFirstFrameAsync(http);
    await Task.WhenAll(tasks);
    await stop.CancelAsync();
    await directTask;
    delays.Sort();
    Array.Sort(ttff);
    double P(IReadOnlyList<double> xs, double q) => xs.Count == 0 ? double.NaN : xs[(int)Math.Min(xs.Count - 1, q * xs.Count)];
    var status = await http.GetFromJsonAsync<CameraLiveStatus>("/api/cameras/bench/viewers", JsonSerializerOptions.Web);
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        viewers,
        seconds,
        ttffMsMedian = Math.Round(P(ttff, 0.5)),
        ttffMsMax = Math.Round(ttff.Max()),
        warmTtffMs = Math.Round(warm),
        addedDelayMsMedian = Math.Round(P(delays, 0.5)),
        addedDelayMsP95 = Math.Round(P(delays, 0.95)),
        delaySamples = delays.Count,
        mbitPerViewer = Math.Round(bytes * 8.0 / 1e6 / seconds / viewers, 2),
        droppedFragments = status?.DroppedFragments,
    }));
    return 0;
}

static string Key(Fragment f) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f.Data.AsSpan(Math.Max(0, f.Data.Length - 256))));

static Task<double> TimeToFirstFrameAsync(HttpClient http) => KeyframeBench.FirstFrameAsync(http);

/// <summary>Allows everyone (benchmark only).</summary>
internal sealed class AllowAll : IAccessPolicy
{
    public Task<AccessDecision> DecideAsync(ClaimsPrincipal user, CameraRight right, string cameraId, CancellationToken ct) =>
        Task.FromResult(AccessDecision.Allow("benchmark"));
}

/// <summary>Shares the camera with user "bench", password "bench" (benchmark only).</summary>
internal sealed class ShareAll : ISharingPolicy
{
    private static readonly PartnerLogin Login = new(Guid.Empty, "bench", "bench", DigestAuthenticator.Ha1("bench", "bench"));

    public Task<PartnerLogin?> FindLoginAsync(string userName, CancellationToken ct) => Task.FromResult(userName == "bench" ? Login : null);

    public Task<PartnerLogin?> FindApiKeyLoginAsync(string apiKey, CancellationToken ct) => Task.FromResult(apiKey == "bench" ? Login : null);

    public Task<AccessDecision> DecideAsync(PartnerLogin login, string cameraId, SharingProtocols protocol, CancellationToken ct) =>
        Task.FromResult(AccessDecision.Allow("benchmark"));
}

/// <summary>One fixed mask from a file (benchmark only): the encoder's cost does not depend on where the mask came from.</summary>
internal sealed class FileMask(byte[] png) : IFeedMasks
{
    public Task<FeedMask> GetAsync(CameraSource camera, int width, int height, CancellationToken ct) =>
        Task.FromResult(new FeedMask(png, Math.Max(16, width / 40) & ~1, "bench"));

    public Task<FeedMask> GetRecordedAsync(CameraSource camera, DateTimeOffset from, DateTimeOffset to, int width, int height, CancellationToken ct) =>
        GetAsync(camera, width, height, ct);

    public Task<bool> MaskedDuringAsync(CameraSource camera, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) => Task.FromResult(true);
}

/// <summary>Discards audit events (benchmark only).</summary>
internal sealed class NoAudit : IAuditLog
{
    public Task<long> AppendAsync(AuditEvent auditEvent, CancellationToken ct) => Task.FromResult(0L);
}

/// <summary>The one benchmark camera.</summary>
internal sealed class BenchDirectory(IReadOnlyList<CameraSource> cameras) : ICameraDirectory
{
    public Task<CameraSource?> FindAsync(string cameraId, CancellationToken ct) => Task.FromResult(cameras.FirstOrDefault(c => c.Id == cameraId));

    public Task<IReadOnlyList<CameraSource>> ActiveCamerasAsync(CancellationToken ct) => Task.FromResult(cameras);

    public Task ReportBitrateAsync(string cameraId, double kbps, CancellationToken ct) => Task.CompletedTask;
}
