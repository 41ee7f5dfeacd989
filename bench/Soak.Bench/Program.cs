using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

// Churn soak (bench/RESULTS.md "Soak", issue #20): VIEWERS viewers join and leave one camera of a real hub for SECONDS
// while its recorder runs; every SAMPLE seconds the hub process's RSS, threads, open descriptors and ffmpeg children
// are written as CSV lines, and the summary compares the first and the last fifth of the run (flat within noise is
// the goal: a leak shows as a last/first ratio that grows with the run's length).
//   churn HUB_URL USER PASSWORD CAMERA VIEWERS SECONDS HUB_PID
// A viewer: open a live session (POST /api/cameras/{id}/live with a bearer token), read the WebSocket for 3–20 s,
// close it, pause up to 2 s, again. The dwell times come from a fixed seed so runs compare.
if (args.Length != 8 || args[0] != "churn")
{
    await Console.Error.WriteLineAsync("usage: churn HUB_URL USER PASSWORD CAMERA VIEWERS SECONDS HUB_PID");
    return 2;
}

var hub = new Uri(args[1]);
var (user, password, camera) = (args[2], args[3], args[4]);
var viewers = int.Parse(args[5], CultureInfo.InvariantCulture);
var seconds = int.Parse(args[6], CultureInfo.InvariantCulture);
var hubPid = int.Parse(args[7], CultureInfo.InvariantCulture);
var sampleSeconds = int.Parse(Environment.GetEnvironmentVariable("SOAK_SAMPLE_SECONDS") ?? "10", CultureInfo.InvariantCulture);

using var http = new HttpClient { BaseAddress = hub };
await SignInAsync();
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
long sessions = 0, refused = 0, bytes = 0, open = 0;

var samples = new List<Sample>();
var sampler = Task.Run(async () =>
{
    Console.WriteLine("seconds,rssMb,threads,fds,ffmpegChildren,openViewers,sessions,refused");
    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(sampleSeconds));
    var t0 = Stopwatch.GetTimestamp();
    do
    {
        var s = Sample.Of(hubPid, Stopwatch.GetElapsedTime(t0).TotalSeconds, Interlocked.Read(ref open));
        samples.Add(s);
        Console.WriteLine(FormattableString.Invariant(
            $"{s.Seconds:F0},{s.RssMb:F1},{s.Threads},{s.Fds},{s.Ffmpeg},{s.OpenViewers},{Interlocked.Read(ref sessions)},{Interlocked.Read(ref refused)}"));
    }
    while (await Tick(timer, stop.Token));
});

var tasks = Enumerable.Range(0, viewers).Select(i => Task.Run(async () =>
{
    var random = new Random(i);
    while (!stop.IsCancellationRequested)
    {
        try
        {
            using var response = await http.PostAsync($"/api/cameras/{camera}/live", null, stop.Token);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref refused);
                await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                continue;
            }

            var session = (await response.Content.ReadFromJsonAsync<LiveSession>(JsonSerializerOptions.Web, stop.Token))!;
            Interlocked.Increment(ref sessions);
            Interlocked.Increment(ref open);
            try
            {
                await WatchAsync(new Uri(session.WebSocketUrl), TimeSpan.FromSeconds(3 + (random.NextDouble() * 17)), stop.Token);
            }
            finally
            {
                Interlocked.Decrement(ref open);
            }

            await Task.Delay(TimeSpan.FromSeconds(random.NextDouble() * 2), stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e) when (e is HttpRequestException or WebSocketException)
        {
            Interlocked.Increment(ref refused);
        }
    }
})).ToArray();

await Task.WhenAll(tasks);
await sampler;
// Settle: the last viewer's session ends and its upstream idles out; then one more sample.
await Task.Delay(TimeSpan.FromSeconds(15));
var after = Sample.Of(hubPid, seconds + 15, 0);

var fifth = Math.Max(1, samples.Count / 5);
var first = samples.Skip(1).Take(fifth).ToList(); // the very first sample is before any viewer
var last = samples.TakeLast(fifth).ToList();
double Median(IEnumerable<double> xs)
{
    var s = xs.Order().ToArray();
    return s.Length == 0 ? double.NaN : s[s.Length / 2];
}

string Row(string name, Func<Sample, double> f)
{
    var a = Median(first.Select(f));
    var b = Median(last.Select(f));
    return FormattableString.Invariant($"| {name} | {a:F1} | {b:F1} | {b / a:F2} | {samples.Min(f):F1} / {samples.Max(f):F1} | {f(after):F1} |");
}

Console.WriteLine();
Console.WriteLine(FormattableString.Invariant(
    $"{viewers} viewers, {seconds} s, {Interlocked.Read(ref sessions)} sessions opened, {Interlocked.Read(ref refused)} refused or failed, {Interlocked.Read(ref bytes) / 1e6:F0} MB received"));
Console.WriteLine("| hub process | first fifth (median) | last fifth (median) | last / first | min / max | 15 s after the last viewer |");
Console.WriteLine("|---|---|---|---|---|---|");
Console.WriteLine(Row("RSS MB", s => s.RssMb));
Console.WriteLine(Row("threads", s => s.Threads));
Console.WriteLine(Row("open descriptors", s => s.Fds));
Console.WriteLine(Row("ffmpeg children", s => s.Ffmpeg));
Console.WriteLine(FormattableString.Invariant($"RSS slope over the second half (least squares): {Slope(samples.Skip(samples.Count / 2).ToList(), s => s.RssMb) * 60:F2} MB/min"));
return 0;

// Least-squares slope of f over time, per second: the warm-up (GC heaps, pools) is in the first half, a leak in both.
static double Slope(IReadOnlyList<Sample> xs, Func<Sample, double> f)
{
    var mx = xs.Average(s => s.Seconds);
    var my = xs.Average(f);
    return xs.Sum(s => (s.Seconds - mx) * (f(s) - my)) / xs.Sum(s => (s.Seconds - mx) * (s.Seconds - mx));
}

async Task SignInAsync()
{
    using var response = await http.PostAsJsonAsync("/api/auth/token", new { Username = user, Password = password });
    response.EnsureSuccessStatusCode();
    var token = (await response.Content.ReadFromJsonAsync<Token>(JsonSerializerOptions.Web))!;
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
}

async Task WatchAsync(Uri url, TimeSpan dwell, CancellationToken ct)
{
    using var socket = new ClientWebSocket();
    using var watch = CancellationTokenSource.CreateLinkedTokenSource(ct);
    watch.CancelAfter(dwell);
    await socket.ConnectAsync(url, ct);
    var buffer = new byte[1 << 20];
    try
    {
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer.AsMemory(), watch.Token);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            Interlocked.Add(ref bytes, r.Count);
        }
    }
    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
    {
        // The dwell is over: leave politely, as a browser tab closing would.
        using var close = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "leaving", close.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }
}

static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
{
    try
    {
        return await timer.WaitForNextTickAsync(ct);
    }
    catch (OperationCanceledException)
    {
        return false;
    }
}

internal sealed record Token(string AccessToken, int ExpiresIn);

internal sealed record LiveSession(string SessionId, string WebSocketUrl);

/// <summary>One reading of the hub process from /proc.</summary>
internal sealed record Sample(double Seconds, double RssMb, int Threads, int Fds, int Ffmpeg, long OpenViewers)
{
    public static Sample Of(int pid, double seconds, long openViewers)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        double Field(string name) =>
            double.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        var fds = Directory.GetFiles($"/proc/{pid}/fd").Length;
        var ffmpeg = Directory.GetDirectories("/proc").Count(d => IsFfmpegChildOf(d, pid));
        return new Sample(seconds, Field("VmRSS") / 1024, (int)Field("Threads"), fds, ffmpeg, openViewers);
    }

    private static bool IsFfmpegChildOf(string dir, int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            // pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis.
            var close = stat.LastIndexOf(')');
            var comm = stat[(stat.IndexOf('(') + 1)..close];
            var ppid = int.Parse(stat[(close + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            return ppid == pid && comm == "ffmpeg";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return false; // the process ended while being read
        }
    }
}
