using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Recording;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.Tests.Masking;

/// <summary>
/// A real hub on Kestrel (127.0.0.1, free port, system clock) recording in 2-second segments, with one GStreamer
/// test-pattern camera (320×180, full-height bars) behind four traffic cameras that are live and recorded: one masked by a privacy
/// polygon over the left half (and a liftable twin of it), one by façade distance with the sample school calibration (scaled by the hub from
/// 1920×1080), one by façade distance without a calibration. The user <c>traffic</c> may watch and play back all three.
/// </summary>
public sealed class MaskedPathsHub : IAsyncLifetime
{
    public const string Polygon = "TRF-MK-01";
    public const string Facade = "TRF-MK-02";
    public const string Uncalibrated = "TRF-MK-03";

    /// <summary>The polygon of <see cref="Polygon"/>, but liftable (a public square the police may see under a lift).</summary>
    public const string Liftable = "TRF-MK-04";
    public const int Width = 320;
    public const int Height = 180;
    public const int Block = 16; // Pixelator.BlockSizeFor(320)

    /// <summary>The burnt-in camera name (top left, rows above this) and clock (bottom right) are not compared with the source.</summary>
    public const int NameBottom = 32;

    /// <summary>The clock's box: columns from this one on, rows from <see cref="ClockTop"/> on.</summary>
    public const int ClockLeft = 150;

    public const int ClockTop = 130;

    public HubFactory Hub { get; private set; } = null!;

    public RtspTestPattern Camera { get; private set; } = null!;

    public Uri HttpBase { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Camera = await RtspTestPattern.StartAsync("masked", Width, Height, 10, NullLogger.Instance, CancellationToken.None, pattern: "smpte100");
        Hub = new HubFactory(realTime: true, settings: new()
        {
            ["CameraHub:Recording:Enabled"] = "true",
            ["CameraHub:Recording:SegmentLength"] = "00:00:02",
            ["CameraHub:Recording:ScheduleInterval"] = "00:00:01",
        });
        HttpBase = Hub.StartOnKestrel();

        await Hub.SeedOrganisationsAsync();
        await Hub.CreateUserAsync("admin", HubRoles.Administrator);
        await Hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        var rtsp = Camera.Uri.ToString();
        foreach (var (id, masking) in new[]
        {
            (Polygon, new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [Width / 2, 0], [Width / 2, Height], [0, Height]]] }),
            (Facade, new MaskingProfile { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 }),
            (Uncalibrated, new MaskingProfile { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 }),
            (Liftable, new MaskingProfile { Kind = MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [Width / 2, 0], [Width / 2, Height], [0, Height]]], Liftable = true }),
        })
        {
            await Hub.CreateCameraAsync(SampleCameras.Traffic(id) with { RtspUrl = rtsp, Mode = CameraMode.LiveAndRecorded, RetentionDays = 7, Masking = masking });
            await Hub.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, id, CameraRight.Live | CameraRight.Playback);
        }

        var admin = await Hub.SignInAsAsync("admin");
        var calibration = JsonNode.Parse(await File.ReadAllTextAsync(SampleCalibration()))!.AsObject();
        calibration["cameraId"] = Facade;
        using var saved = await admin.PutAsJsonAsync($"/api/cameras/{Facade}/calibration", calibration);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        await Camera.DisposeAsync();
    }

    /// <summary>The camera's obscured pixels at the stream's size, from GET mask.png (what exports use).</summary>
    public async Task<bool[]> ObscuredAsync(string cameraId)
    {
        var admin = await Hub.SignInAsAsync("admin");
        using var response = await admin.GetAsync($"/api/cameras/{cameraId}/mask.png?width={Width}&height={Height}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var obscured = await MaskedFrames.ObscuredAsync(await response.Content.ReadAsByteArrayAsync(), Width, Height);
        Assert.Contains(obscured, o => o);
        Assert.Contains(obscured, o => !o);
        return obscured;
    }

    /// <summary>A client signed in as <c>traffic</c> talking to the Kestrel address.</summary>
    public Task<HttpClient> TrafficAsync() => Hub.KestrelClientAsync(HttpBase, "traffic");

    /// <summary>Waits until at least <paramref name="count"/> complete segments of the camera are indexed.</summary>
    public async Task<IReadOnlyList<RecordingSegment>> RecordedAsync(string cameraId, int count, DateTimeOffset? since = null)
    {
        var index = Hub.Services.GetRequiredService<SegmentIndex>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(90))
        {
            var found = (await index.InWindowAsync(cameraId, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1), default))
                .Where(s => s.State == SegmentState.Complete && (since is null || s.Start >= since)).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"camera {cameraId} recorded fewer than {count} segments in 90 s");
    }

    /// <summary>
    /// Waits for <paramref name="count"/> segments recorded under the camera's current mask version (from its mask
    /// history): footage from before the façade camera's calibration was stored is masked with the earlier version.
    /// </summary>
    public async Task<IReadOnlyList<RecordingSegment>> RecordedUnderCurrentMaskAsync(string cameraId, int count)
    {
        var admin = await Hub.SignInAsAsync("admin");
        var versions = (await admin.GetFromJsonAsync<JsonElement>($"/api/cameras/{cameraId}/mask-versions")).EnumerateArray().ToList();
        return await RecordedAsync(cameraId, count, versions[^1].GetProperty("validFrom").GetDateTimeOffset());
    }

    /// <summary>
    /// Reads a WebSocket fMP4 stream (text control messages, binary init and fragments) for <paramref name="seconds"/>
    /// of media into a file ffmpeg can decode; returns the file and the text messages.
    /// </summary>
    public static async Task<(string File, List<string> Texts)> RecordWebSocketAsync(Uri url, int fragments)
    {
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(url, timeout.Token);
        var file = Path.Combine(Path.GetTempPath(), $"camerahub-ws-{Guid.NewGuid():N}.mp4");
        var texts = new List<string>();
        await using (var output = File.Create(file))
        {
            var buffer = new byte[1 << 20];
            var binary = 0;
            using var message = new MemoryStream();
            while (binary < fragments + 1 && socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    texts.Add(System.Text.Encoding.UTF8.GetString(message.ToArray()));
                }
                else
                {
                    binary++;
                    message.Position = 0;
                    await message.CopyToAsync(output);
                }

                message.SetLength(0);
            }
        }

        return (file, texts);
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    /// <summary>Requests a package as <paramref name="traffic"/>, approves it as <paramref name="admin"/>, waits until it is ready and downloads it; returns its manifest and the last frame of its last video.</summary>
    public static async Task<(JsonElement Manifest, byte[] Frame)> ExportAsync(HttpClient traffic, HttpClient admin, object body)
    {
        using var created = await traffic.PostAsJsonAsync("api/evidence", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"api/evidence/{id}/approve", null)).StatusCode);
        var watch = Stopwatch.StartNew();
        while ((await traffic.GetFromJsonAsync<JsonElement>($"api/evidence/{id}")) is var view && view.GetProperty("status").GetString() != "Ready")
        {
            Assert.True(view.GetProperty("status").GetString() != "Failed", view.GetProperty("error").GetString());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(120), "the package took longer than two minutes");
            await Task.Delay(500);
        }

        var dir = Directory.CreateTempSubdirectory("camerahub-unmasked-evidence-").FullName;
        try
        {
            var zip = Path.Combine(dir, "evidence.zip");
            await File.WriteAllBytesAsync(zip, await traffic.GetByteArrayAsync($"api/evidence/{id}/package"));
            ZipFile.ExtractToDirectory(zip, Path.Combine(dir, "x"));
            var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "x", "manifest.json"))).RootElement.Clone();
            var video = Directory.GetFiles(Path.Combine(dir, "x", "videos"), "*.mp4").Order(StringComparer.Ordinal).Last();
            return (manifest, await MaskedFrames.LastGreyAsync(MaskedPathsHub.Width, MaskedPathsHub.Height, video));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static string SampleCalibration()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root!.FullName, "samples", "goteborg", "calibrations", "SKO-001-K01.json")))
        {
            root = root.Parent;
        }

        return Path.Combine(root.FullName, "samples", "goteborg", "calibrations", "SKO-001-K01.json");
    }
}
