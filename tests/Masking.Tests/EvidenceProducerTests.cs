using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using CameraHub.Masking.Evidence;
using CameraHub.Masking.Persistence;
using CameraHub.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Masking.Tests;

/// <summary>
/// The producer on a real host (SQLite, sample city, masking) with recorded segments made by ffmpeg and served by a
/// file-backed footage source standing in for the recorder.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EvidenceProducerTests : IAsyncLifetime
{
    private static readonly DateTime T0 = new(2026, 11, 20, 21, 0, 0, DateTimeKind.Utc);
    private readonly FileFootage _footage = new();
    private MaskingHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await MaskingHost.StartAsync((services, data) =>
        {
            services.AddSingleton<IEvidenceFootage>(_footage);
            services.AddEvidenceExport(new ConfigurationBuilder().Build(), data, runInBackground: false);
        });
        // Two consecutive 4-second segments written as the recorder writes them: one fragmented MP4 stream (a fragment per
        // 1-second GOP) split into files that each start with the init, decode times continuing from one file to the next.
        var full = Path.Combine(_host.DataDirectory, "stream.mp4");
        Assert.Equal(0, (await Tool.RunAsync("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10",
            "-t", "8", "-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p", "-movflags", "empty_moov+default_base_moof+frag_keyframe", full)).Code);
        var boxes = TopLevelBoxes(await File.ReadAllBytesAsync(full));
        var init = boxes.Where(b => b.Type is "ftyp" or "moov").SelectMany(b => b.Bytes).ToArray();
        var fragments = boxes.Where(b => b.Type is "moof" or "mdat").ToList();
        for (var i = 0; i < 2; i++)
        {
            var path = Path.Combine(_host.DataDirectory, $"seg{i}.mp4");
            await File.WriteAllBytesAsync(path, [.. init, .. fragments.Skip(i * 8).Take(8).SelectMany(b => b.Bytes)]); // 4 × (moof + mdat)
            _footage.Segments.Add(new FootageSegment(path, T0.AddSeconds(4 * i), T0.AddSeconds(4 * (i + 1)), new FileInfo(path).Length));
        }

        // The footage is dated T0, before the hub started its mask history: start each camera's history with its
        // registered mask and date that first version back to before the footage, as if the cameras had been
        // registered then (footage older than a camera's first version is refused, rightly).
        await using var scope = _host.Services.CreateAsyncScope();
        var cameras = scope.ServiceProvider.GetRequiredService<CameraHub.CameraRegistry.Cameras.ICameraDirectory>();
        var history = scope.ServiceProvider.GetRequiredService<CameraHub.Masking.History.MaskHistory>();
        foreach (var id in new[] { "GAR-001-K01", "SKO-001-K04" })
        {
            await history.CurrentAsync((await cameras.FindAsync(id, CancellationToken.None))!, CancellationToken.None);
        }

        await scope.ServiceProvider.GetRequiredService<MaskingDbContext>().MaskVersions
            .ExecuteUpdateAsync(u => u.SetProperty(v => v.ValidFromUtc, T0.AddDays(-1)));
    }

    private static List<(string Type, byte[] Bytes)> TopLevelBoxes(byte[] file)
    {
        var boxes = new List<(string, byte[])>();
        for (var p = 0; p + 8 <= file.Length;)
        {
            var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(p));
            boxes.Add((System.Text.Encoding.ASCII.GetString(file, p + 4, 4), file[p..(p + size)]));
            p += size;
        }

        return boxes;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<Guid> ApprovedRequestAsync(string camera, DateTime from, DateTime to, EvidenceStatus status = EvidenceStatus.Approved)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MaskingDbContext>();
        var request = new EvidenceRequest
        {
            Id = Guid.NewGuid(), CaseNumber = "5000-K123456-26", RequestedBy = "police", CameraIds = [camera], FromUtc = from, ToUtc = to,
            Reason = "Inbrott i garage", Status = status, DecidedBy = "housing", DecidedAtUtc = T0.AddDays(1), CreatedAtUtc = T0.AddDays(1),
        };
        db.EvidenceRequests.Add(request);
        await db.SaveChangesAsync();
        return request.Id;
    }

    private async Task<EvidenceRequest> LoadAsync(Guid id)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MaskingDbContext>().EvidenceRequests.AsNoTracking().FirstAsync(r => r.Id == id);
    }

    [Fact]
    public async Task An_approved_request_becomes_a_verified_package_cut_to_the_exact_window_with_its_gap_listed()
    {
        var producer = _host.Services.GetRequiredService<EvidenceProducer>();
        var id = await ApprovedRequestAsync("GAR-001-K01", T0.AddSeconds(-2), T0.AddSeconds(6));

        await producer.ProduceAsync(id, default);

        var request = await LoadAsync(id);
        Assert.True(request.Status == EvidenceStatus.Ready, request.Error);
        var zip = Path.Combine(producer.ExportsDirectory(), request.PackageFile!);
        var verification = EvidenceVerifier.Verify(zip);
        Assert.True(verification.Intact, string.Join("; ", verification.Problems));

        using var archive = ZipFile.OpenRead(zip);
        using var manifestStream = archive.GetEntry("manifest.json")!.Open();
        var manifest = (await JsonSerializer.DeserializeAsync<EvidenceManifest>(manifestStream, EvidencePackage.Json))!;
        var camera = Assert.Single(manifest.Cameras);
        var video = Assert.Single(camera.Videos);
        Assert.Equal((T0, T0.AddSeconds(6)), (video.From, video.To));           // footage starts at T0: the 2 s before are a gap
        Assert.Equal(new EvidenceGap(T0.AddSeconds(-2), T0), Assert.Single(camera.Gaps));
        Assert.Equal(2, camera.SourceSegments.Count);
        Assert.All(camera.SourceSegments, s => Assert.Equal(64, s.Sha256.Length));

        var extracted = Path.Combine(_host.DataDirectory, "video.mp4");
        archive.GetEntry(video.Path)!.ExtractToFile(extracted);
        var probe = await Files.VideoProbe.ProbeAsync(extracted, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, default);
        Assert.Equal(60, probe.Frames);                                         // 6 s at 10 fps, exactly
        Assert.Equal((320, 240), (probe.Width, probe.Height));
    }

    [Fact]
    public async Task A_camera_that_must_be_masked_but_has_no_calibration_is_refused_with_the_reason_and_no_package()
    {
        var producer = _host.Services.GetRequiredService<EvidenceProducer>();
        var id = await ApprovedRequestAsync("SKO-001-K04", T0, T0.AddSeconds(4));

        await producer.ProduceAsync(id, default);

        var request = await LoadAsync(id);
        Assert.Equal(EvidenceStatus.Failed, request.Status);
        Assert.Contains("has no calibration", request.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(producer.ExportsDirectory(), "*.zip*"));
    }

    [Fact]
    public async Task An_export_interrupted_by_a_restart_is_produced_again_and_never_left_half_made()
    {
        var producer = _host.Services.GetRequiredService<EvidenceProducer>();
        var id = await ApprovedRequestAsync("GAR-001-K01", T0.AddSeconds(1), T0.AddSeconds(3), EvidenceStatus.Producing);
        // What a hub killed mid-export leaves: a work folder and a half-written zip under its temporary name.
        Directory.CreateDirectory(Path.Combine(producer.ExportsDirectory(), $"{id}.work"));
        await File.WriteAllTextAsync(Path.Combine(producer.ExportsDirectory(), $"{id}.zip.partial"), "half");

        await producer.ProduceAsync(id, default);

        var request = await LoadAsync(id);
        Assert.Equal(EvidenceStatus.Ready, request.Status);
        Assert.True(EvidenceVerifier.Verify(Path.Combine(producer.ExportsDirectory(), request.PackageFile!)).Intact);
        Assert.False(File.Exists(Path.Combine(producer.ExportsDirectory(), $"{id}.zip.partial")));
        Assert.False(Directory.Exists(Path.Combine(producer.ExportsDirectory(), $"{id}.work")));
    }

    [Fact]
    public async Task An_expired_package_is_deleted_and_its_legal_holds_end()
    {
        var producer = _host.Services.GetRequiredService<EvidenceProducer>();
        var hold = await _footage.PlaceHoldAsync("GAR-001-K01", T0, T0.AddSeconds(4), "5000-K1-26", T0.AddDays(90), "police", default);
        var package = Path.Combine(producer.ExportsDirectory(), "old.zip");
        await File.WriteAllTextAsync(package, "zip");
        Guid id;
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MaskingDbContext>();
            var request = new EvidenceRequest
            {
                Id = Guid.NewGuid(), CaseNumber = "5000-K1-26", RequestedBy = "police", CameraIds = ["GAR-001-K01"], FromUtc = T0, ToUtc = T0.AddSeconds(4),
                Reason = "x", Status = EvidenceStatus.Ready, PackageFile = "old.zip", HoldIds = [hold], CreatedAtUtc = T0,
                ExpiresAtUtc = DateTime.UtcNow.AddMinutes(-1),
            };
            db.EvidenceRequests.Add(request);
            await db.SaveChangesAsync();
            id = request.Id;
        }

        await producer.ExpireAsync(default);

        Assert.Equal(EvidenceStatus.Expired, (await LoadAsync(id)).Status);
        Assert.False(File.Exists(package));
        Assert.DoesNotContain(hold, _footage.Holds);
    }

    [Fact]
    public void Segments_are_grouped_into_runs_of_continuous_footage()
    {
        var runs = EvidenceProducer.Runs(
        [
            new FootageSegment("a", T0, T0.AddSeconds(60), 1), new FootageSegment("b", T0.AddSeconds(60.5), T0.AddSeconds(120), 1),
            new FootageSegment("c", T0.AddSeconds(300), T0.AddSeconds(360), 1),
        ]);
        Assert.Equal([2, 1], runs.Select(r => r.Count));
    }

    /// <summary>Recorded segments on disk, as the recorder would hand them over; holds are remembered.</summary>
    private sealed class FileFootage : IEvidenceFootage
    {
        public List<FootageSegment> Segments { get; } = [];

        public List<Guid> Holds { get; } = [];

        public Task<CameraFootage> FindAsync(string cameraId, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
        {
            var inWindow = Segments.Where(s => s.EndUtc > fromUtc && s.StartUtc < toUtc).OrderBy(s => s.StartUtc).ToList();
            var gaps = new List<EvidenceGap>();
            var cursor = fromUtc;
            foreach (var s in inWindow)
            {
                if (s.StartUtc > cursor)
                {
                    gaps.Add(new EvidenceGap(cursor, s.StartUtc));
                }

                cursor = s.EndUtc > cursor ? s.EndUtc : cursor;
            }

            if (cursor < toUtc)
            {
                gaps.Add(new EvidenceGap(cursor, toUtc));
            }

            return Task.FromResult(new CameraFootage(inWindow, gaps));
        }

        public Task<Guid> PlaceHoldAsync(string cameraId, DateTime fromUtc, DateTime toUtc, string caseNumber, DateTime untilUtc, string createdBy, CancellationToken ct)
        {
            var id = Guid.NewGuid();
            Holds.Add(id);
            return Task.FromResult(id);
        }

        public Task ReleaseHoldAsync(Guid holdId, string releasedBy, CancellationToken ct)
        {
            Holds.Remove(holdId);
            return Task.CompletedTask;
        }
    }
}
