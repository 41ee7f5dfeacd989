// Evidence export cost (issue #8): wall time and CPU for the hub to produce a masked, signed package of N minutes of
// 1080p25 footage (recorder-format segments, façade-distance masking with the sample school calibration), next to
// plain ffmpeg applying an equivalent static mask to the same footage (the masking benchmark's baseline).
// Usage: dotnet run -c Release --project bench/Evidence.Bench -- [minutes] [runs]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Demo;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Composition;
using CameraHub.StreamBroker.Recording;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

var minutes = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
var repo = FindRepo();
var data = Directory.CreateTempSubdirectory("camerahub-evidence-bench-").FullName;
const string Password = "Bench-Password-2026";
const string Camera = "SKO-001-K01";

// Footage: OpenCV's street scene upscaled to 1080p25, encoded as one fragmented stream and split into 10-second
// recorder-format segments (init + fragments, decode times continuing).
var seconds = (int)(minutes * 60);
var stream = Path.Combine(data, "stream.mp4");
await Run("ffmpeg", "-v", "error", "-stream_loop", "-1", "-i", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", "-t", seconds.ToString(CultureInfo.InvariantCulture),
    "-vf", "scale=1920:1080:flags=bicubic,fps=25", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "4M", "-g", "50", "-pix_fmt", "yuv420p", "-an",
    "-movflags", "empty_moov+default_base_moof+frag_keyframe", stream);
var plain = Path.Combine(data, "plain.mp4");
await Run("ffmpeg", "-v", "error", "-i", stream, "-c", "copy", plain);

var app = HubApplication.Build(["--urls", "http://127.0.0.1:0", $"--CameraHub:DataDirectory={data}", "--CameraHub:Recording:Enabled=false",
    "--CameraHub:Evidence:PollInterval=00:00:00.2", "--Logging:LogLevel:Default=Warning"]);
await app.StartAsync();
var start = new DateTime(2026, 11, 20, 21, 0, 0, DateTimeKind.Utc);
await using (var scope = app.Services.CreateAsyncScope())
{
    var sp = scope.ServiceProvider;
    await sp.GetRequiredService<SampleCityLoader>().LoadIfEmptyAsync(Path.Combine(repo, "samples", "goteborg"), default);
    var accounts = sp.GetRequiredService<UserAccounts>();
    await accounts.CreateAsync("police", Password, HubRoles.PoliceLiaison, null, null, "bench", default);
    await accounts.CreateAsync("schools", Password, HubRoles.CameraOwner, "grundskolenamnden", null, "bench", default);
    var access = sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<AccessDbContext>>();
    await using var db = await access.CreateDbContextAsync();
    db.Grants.Add(new Grant { Id = Guid.NewGuid(), SubjectKind = GrantSubjectKind.User, Subject = "police", ScopeKind = GrantScopeKind.Camera, Scope = Camera, Rights = CameraRight.Export, Reason = "bench", CreatedBy = "bench" });
    await db.SaveChangesAsync();

    // Index the footage as the recorder would have.
    var root = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RecordingOptions>>().Value.StorageRoot;
    var bytes = await File.ReadAllBytesAsync(stream);
    var boxes = new List<(string Type, byte[] Bytes)>();
    for (var p = 0; p + 8 <= bytes.Length;)
    {
        var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(p));
        boxes.Add((System.Text.Encoding.ASCII.GetString(bytes, p + 4, 4), bytes[p..(p + size)]));
        p += size;
    }

    var init = boxes.Where(b => b.Type is "ftyp" or "moov").SelectMany(b => b.Bytes).ToArray();
    var fragments = boxes.Where(b => b.Type is "moof" or "mdat").ToList(); // one fragment per 2-second GOP
    var recordings = sp.GetRequiredService<RecordingDbContext>();
    for (var i = 0; i * 10 < fragments.Count; i++)
    {
        var relative = $"{Camera}/bench/{i:D4}.mp4";
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var content = init.Concat(fragments.Skip(i * 10).Take(10).SelectMany(b => b.Bytes)).ToArray();
        await File.WriteAllBytesAsync(path, content);
        recordings.RecordingSegments.Add(new RecordingSegment
        {
            CameraId = Camera, Path = relative, Bytes = content.Length,
            StartUtcTicks = start.AddSeconds(i * 10).Ticks, EndUtcTicks = start.AddSeconds(Math.Min((i + 1) * 10, seconds)).Ticks,
        });
    }

    await recordings.SaveChangesAsync();
}

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var police = await SignInAsync("police");
var schools = await SignInAsync("schools");
var calibration = JsonNode.Parse(File.ReadAllText(Path.Combine(repo, "samples", "goteborg", "calibrations", $"{Camera}.json")))!;
(await schools.PutAsJsonAsync($"/api/cameras/{Camera}/calibration", calibration)).EnsureSuccessStatusCode();

var ours = new List<(double Wall, double Cpu)>();
var baseline = new List<(double Wall, double Cpu)>();
for (var run = 0; run < runs; run++)
{
    var cpu0 = ProcessCpuSeconds();
    var watch = Stopwatch.StartNew();
    var created = await police.PostAsJsonAsync("/api/evidence", new { caseNumber = "5000-K1-26", cameraIds = new[] { Camera }, from = start, to = start.AddSeconds(seconds), reason = "bench" });
    var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
    (await schools.PostAsync($"/api/evidence/{id}/approve", null)).EnsureSuccessStatusCode();
    string status;
    do
    {
        await Task.Delay(200);
        var view = await police.GetFromJsonAsync<JsonElement>($"/api/evidence/{id}");
        status = view.GetProperty("status").GetString()!;
        if (status == "Failed")
        {
            throw new InvalidOperationException(view.GetProperty("error").GetString());
        }
    }
    while (status != "Ready");
    ours.Add((watch.Elapsed.TotalSeconds, ProcessCpuSeconds() - cpu0));
    Console.Error.WriteLine($"hub export: {ours[^1].Wall:0.0} s wall, {ours[^1].Cpu:0.0} s CPU");

    cpu0 = ProcessCpuSeconds();
    watch.Restart();
    var mask = Path.Combine(data, "mask.png");
    await File.WriteAllBytesAsync(mask, await schools.GetByteArrayAsync($"/api/cameras/{Camera}/mask.png"));
    var block = 48;
    await Run("ffmpeg", "-v", "error", "-y", "-i", plain, "-loop", "1", "-framerate", "25", "-i", mask, "-filter_complex",
        $"[0:v]split[orig][px];[px]scale={1920 / block}:{1080 / block}:flags=area,scale=1920:1080:flags=neighbor[blocks];" +
        "[1:v]format=gray,negate[alpha];[blocks][alpha]alphamerge[masked];[orig][masked]overlay=shortest=1:format=yuv420[out]",
        "-map", "[out]", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", Path.Combine(data, "baseline.mp4"));
    baseline.Add((watch.Elapsed.TotalSeconds, ProcessCpuSeconds() - cpu0));
    Console.Error.WriteLine($"plain ffmpeg static mask: {baseline[^1].Wall:0.0} s wall, {baseline[^1].Cpu:0.0} s CPU");
}

double Median(IEnumerable<double> xs)
{
    var s = xs.Order().ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
}

Console.WriteLine($"{minutes} min of 1080p25 (~4 Mbit/s), {runs} run(s), {Environment.ProcessorCount} cores");
Console.WriteLine("| Pipeline | Median wall (s) | Median CPU (s) | Wall ratio to baseline |");
Console.WriteLine("|---|---:|---:|---:|");
Console.WriteLine($"| plain ffmpeg, static mask (baseline) | {Median(baseline.Select(b => b.Wall)):0.0} | {Median(baseline.Select(b => b.Cpu)):0.0} | 1.00 |");
Console.WriteLine($"| CameraHub export: join + exact cut + façade mask with person stage + sign | {Median(ours.Select(o => o.Wall)):0.0} | {Median(ours.Select(o => o.Cpu)):0.0} | {Median(ours.Select(o => o.Wall)) / Median(baseline.Select(b => b.Wall)):0.00} |");
await app.StopAsync();
Directory.Delete(data, recursive: true);

async Task<HttpClient> SignInAsync(string user)
{
    var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(30) };
    var token = await client.PostAsJsonAsync("/api/auth/token", new { username = user, password = Password });
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
    return client;
}

// This process and its reaped children (ffmpeg), from /proc/self/stat: utime, stime, cutime, cstime in clock ticks.
static double ProcessCpuSeconds()
{
    var fields = File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
        + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
}

static async Task Run(string tool, params string[] arguments)
{
    var info = new ProcessStartInfo(tool) { RedirectStandardError = true };
    foreach (var a in arguments)
    {
        info.ArgumentList.Add(a);
    }

    using var process = Process.Start(info)!;
    var error = await process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{tool} failed: {error}");
    }
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "CameraHub.sln")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("CameraHub.sln");
}
