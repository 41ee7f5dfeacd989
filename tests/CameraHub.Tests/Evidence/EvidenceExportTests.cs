using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.Cli;
using CameraHub.FakeCamera;
using CameraHub.Masking.Evidence;
using CameraHub.StreamBroker.Recording;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.Tests.Evidence;

/// <summary>
/// The whole evidence path on the real hub: a real RTSP camera recorded in 2-second segments, a police request with
/// its legal hold, four-eyes approval, a masked and signed package downloaded by the requester and checked with our
/// verifier, sha256sum and openssl as separate processes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EvidenceExportTests : IAsyncLifetime
{
    private const string CameraId = "GAR-E2E-01";
    private RtspTestPattern _camera = null!;
    private HubFactory _hub = null!;
    private string _work = null!;

    public async Task InitializeAsync()
    {
        _work = Directory.CreateTempSubdirectory("camerahub-evidence-").FullName;
        _camera = await RtspTestPattern.StartAsync(CameraId, 640, 360, 10, NullLogger.Instance, CancellationToken.None);
        _hub = new HubFactory(realTime: true, settings: new()
        {
            ["CameraHub:Recording:Enabled"] = "true",
            ["CameraHub:Recording:SegmentLength"] = "00:00:02",
            ["CameraHub:Recording:ScheduleInterval"] = "00:00:01",
            ["CameraHub:Evidence:PollInterval"] = "00:00:00.500",
        });
        await _hub.SeedOrganisationsAsync();
        await _hub.CreateUserAsync("housing", HubRoles.CameraOwner, "framtiden");
        await _hub.CreateUserAsync("police", HubRoles.PoliceLiaison);
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.GrantAsync(GrantSubjectKind.Role, HubRoles.PoliceLiaison, GrantScopeKind.Category, nameof(CameraCategory.HousingGarage), CameraRight.Export);
        // Calibrated before the camera records: footage recorded before a calibration is masked with the mask then in
        // force (everything obscured), which is not what this test looks at.
        await _hub.WithScopeAsync(sp => sp.GetRequiredService<CameraHub.Masking.Calibration.CalibrationStore>().SaveAsync(
            Calibration().Deserialize<CameraHub.Masking.Calibration.CameraCalibration>(JsonSerializerOptions.Web)!, default));
        await _hub.CreateCameraAsync(SampleCameras.PermitGarage(CameraId) with
        {
            RtspUrl = _camera.Uri.ToString(),
            Masking = new MaskingProfile { Kind = MaskingKind.FacadeDistance, KeepDistanceMetres = 2.0 },
        });
    }

    public async Task DisposeAsync()
    {
        _hub.Dispose();
        await _camera.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>The sample school camera's calibration (1920×1080), scaled to this camera's 640×360 picture.</summary>
    private static JsonObject Calibration()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root!.FullName, "samples", "goteborg", "calibrations", "SKO-001-K01.json")))
        {
            root = root.Parent;
        }

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(root.FullName, "samples", "goteborg", "calibrations", "SKO-001-K01.json")))!.AsObject();
        foreach (var point in json["points"]!.AsArray())
        {
            point!["imageX"] = point["imageX"]!.GetValue<double>() / 3;
            point["imageY"] = point["imageY"]!.GetValue<double>() / 3;
        }

        json["cameraId"] = CameraId;
        json["imageWidth"] = 640;
        json["imageHeight"] = 360;
        return json;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"gave up waiting for {what}");
    }

    [Fact]
    public async Task Police_request_owner_approval_and_a_signed_masked_package_that_anyone_can_verify()
    {
        var housing = await _hub.SignInAsAsync("housing");
        var police = await _hub.SignInAsAsync("police");
        Assert.Equal(HttpStatusCode.OK, (await housing.PutAsJsonAsync($"/api/cameras/{CameraId}/calibration", Calibration())).StatusCode);
        var maskHash = (await housing.GetAsync($"/api/cameras/{CameraId}/mask.png")).Headers.GetValues("X-Mask-Sha256").Single();

        // Wait for about eight seconds of recorded footage.
        var index = _hub.Services.GetRequiredService<SegmentIndex>();
        var segments = await EventuallyAsync(async () =>
        {
            var found = await index.InWindowAsync(CameraId, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), default);
            return found.Count >= 4 ? found : null;
        }, TimeSpan.FromSeconds(90), "four recorded segments");
        // Whole milliseconds, as a browser sends them (PostgreSQL keeps microseconds, .NET ticks are 100 ns).
        var footageStart = segments[0].Start.UtcDateTime;
        footageStart = footageStart.AddTicks(-(footageStart.Ticks % TimeSpan.TicksPerMillisecond));
        var from = footageStart.AddSeconds(-3);         // three seconds before the recording began: a gap
        var to = footageStart.AddSeconds(5);

        // The requester follows the export's progress over SignalR.
        var token = police.DefaultRequestHeaders.Authorization!.Parameter;
        var progress = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        await using var events = new Microsoft.AspNetCore.SignalR.Client.HubConnectionBuilder()
            .WithUrl(new Uri(_hub.Server.BaseAddress, "/hubs/events"), o =>
            {
                o.HttpMessageHandlerFactory = _ => _hub.Server.CreateHandler();
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        events.On<JsonElement>("evidenceProgress", e => progress.Enqueue(e));
        await events.StartAsync();

        // An operator's bookmark inside the window and one after it: the manifest lists the first only. Bookmarking
        // takes the playback right on the camera.
        await _hub.GrantAsync(GrantSubjectKind.User, "housing", GrantScopeKind.Category, nameof(CameraCategory.HousingGarage), CameraRight.Playback);
        using (var inside = await housing.PostAsJsonAsync($"/api/cameras/{CameraId}/bookmarks", new { at = footageStart.AddSeconds(1), to = footageStart.AddSeconds(2), note = "dörren bryts upp" }))
        using (var after = await housing.PostAsJsonAsync($"/api/cameras/{CameraId}/bookmarks", new { at = to.AddSeconds(30), note = "senare" }))
        {
            Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (inside.StatusCode, after.StatusCode));
        }

        var created = await police.PostAsJsonAsync("/api/evidence", new { caseNumber = "5000-K123456-26", cameraIds = new[] { CameraId }, from, to, reason = "Inbrott i garage" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        // The request holds the footage at once.
        var holds = _hub.Services.GetRequiredService<StreamBroker.Retention.LegalHolds>();
        Assert.Contains(await holds.ListAsync(CameraId, default), h => h.Active && h.CaseNumber == "5000-K123456-26");

        // Four eyes: the requester cannot approve; the owner can.
        Assert.Equal(HttpStatusCode.Forbidden, (await police.PostAsync($"/api/evidence/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await housing.PostAsync($"/api/evidence/{id}/approve", null)).StatusCode);

        var ready = await EventuallyAsync(async () =>
        {
            var status = await police.GetFromJsonAsync<JsonElement>($"/api/evidence/{id}");
            var state = status.GetProperty("status").GetString();
            Assert.NotEqual("Failed", state);
            return state == "Ready" ? (JsonElement?)status : null;
        }, TimeSpan.FromSeconds(120), "the package");
        Assert.Equal(100, ready!.Value.GetProperty("progress").GetInt32());
        await EventuallyAsync(() => Task.FromResult(progress.Any(p => p.GetProperty("status").GetString() == "Ready") ? (object?)true : null), TimeSpan.FromSeconds(10), "the Ready event");
        Assert.Contains(progress, p => p.GetProperty("stage").GetString()!.StartsWith("masking", StringComparison.Ordinal));

        // Only the requester downloads.
        Assert.Equal(HttpStatusCode.Forbidden, (await housing.GetAsync($"/api/evidence/{id}/package")).StatusCode);
        var zip = Path.Combine(_work, "evidence.zip");
        await File.WriteAllBytesAsync(zip, await police.GetByteArrayAsync($"/api/evidence/{id}/package"));

        // Our verifier, our CLI, and the standard tools agree it is intact and signed by the published key.
        var key = await police.GetFromJsonAsync<JsonElement>("/api/evidence/signing-key");
        var fingerprint = key.GetProperty("fingerprint").GetString()!;
        Assert.True(EvidenceVerifier.Verify(zip, fingerprint).Intact);
        Assert.Equal(0, await HubCommandLine.InvokeAsync(["verify-evidence", zip, "--fingerprint", fingerprint]));
        var dir = Path.Combine(_work, "unzipped");
        ZipFile.ExtractToDirectory(zip, dir);
        Assert.Equal(0, (await Tool.RunInAsync(dir, "sha256sum", "-c", "SHA256SUMS")).Code);
        var openssl = await Tool.RunInAsync(dir, "openssl", "dgst", "-sha256", "-verify", "public-key.pem", "-signature", "manifest.sig", "manifest.json");
        Assert.Contains("Verified OK", openssl.Output, StringComparison.Ordinal);

        // The manifest: exact window, the gap before the recording, the calibration's mask, the held originals.
        var manifest = JsonSerializer.Deserialize<EvidenceManifest>(await File.ReadAllBytesAsync(Path.Combine(dir, "manifest.json")), EvidencePackage.Json)!;
        var camera = Assert.Single(manifest.Cameras);
        var bookmark = Assert.Single(camera.Bookmarks);
        Assert.Equal(("dörren bryts upp", "housing", footageStart.AddSeconds(1)), (bookmark.Note, bookmark.CreatedBy, bookmark.At));
        Assert.Equal(("housing", "police", "5000-K123456-26"), (manifest.ApprovedBy, manifest.RequestedBy, manifest.CaseNumber));
        Assert.Equal(maskHash, camera.MaskSha256);
        var version = Assert.Single(camera.MaskVersions);           // the mask in force when the footage was recorded
        Assert.Equal(1, version.Version);
        Assert.Equal("FacadeDistance", version.Kind);
        Assert.Equal("Permit", camera.LegalBasis);
        var gap = Assert.Single(camera.Gaps);
        Assert.Equal(from, gap.From);
        Assert.InRange((gap.To - footageStart).TotalSeconds, -0.5, 0.5);
        var video = Assert.Single(camera.Videos);
        Assert.Equal(to, video.To);
        Assert.Equal((1, maskHash), (video.MaskVersion, video.MaskSha256));
        Assert.InRange(video.Frames, 45, 55);                          // five seconds at 10 fps
        Assert.Equal(0, video.FramesObscuredEntirely);
        Assert.NotEmpty(camera.SourceSegments);
        var probe = await Tool.RunInAsync(dir, "ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
            "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", video.Path);
        Assert.StartsWith("h264,640,360,", probe.Output.Trim(), StringComparison.Ordinal);

        // One flipped byte in the video is caught by sha256sum and by our verifier.
        var path = Path.Combine(dir, video.Path);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
        Assert.NotEqual(0, (await Tool.RunInAsync(dir, "sha256sum", "--quiet", "-c", "SHA256SUMS")).Code);

        // The DPO sees the request, the approval and the download.
        var dpo = await _hub.SignInAsAsync("dpo");
        foreach (var action in new[] { "EvidenceRequested", "EvidenceApproved", "EvidenceDownloaded" })
        {
            var entries = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={CameraId}&action={action}");
            Assert.True(entries.GetProperty("total").GetInt32() >= 1, action);
        }
    }

    [Fact]
    public async Task A_request_needs_the_export_right_and_a_valid_case_number()
    {
        var housing = await _hub.SignInAsAsync("housing");
        var police = await _hub.SignInAsAsync("police");
        var now = DateTime.UtcNow;
        var bad = await police.PostAsJsonAsync("/api/evidence", new { caseNumber = "12345", cameraIds = new[] { CameraId }, from = now.AddMinutes(-5), to = now, reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("5000-K123456-26", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var noRight = await housing.PostAsJsonAsync("/api/evidence", new { caseNumber = "5000-K1-26", cameraIds = new[] { CameraId }, from = now.AddMinutes(-5), to = now, reason = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, noRight.StatusCode);
    }
}
