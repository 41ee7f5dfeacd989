using System.Globalization;
using System.Security.Cryptography;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Files;
using CameraHub.Masking.Persistence;
using CameraHub.StreamBroker.Processes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.Masking.Evidence;

/// <summary>Evidence export settings (configuration section <c>CameraHub:Evidence</c>).</summary>
public sealed class EvidenceOptions
{
    /// <summary>Where packages are written; default &lt;data&gt;/exports.</summary>
    public string ExportsDirectory { get; set; } = "exports";
    /// <summary>How long a ready package stays downloadable; then it and its legal holds end.</summary>
    public TimeSpan PackageLifetime { get; set; } = TimeSpan.FromDays(30);
    /// <summary>The longest window one request may ask for.</summary>
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    public string Ffmpeg { get; set; } = "ffmpeg";
}

/// <summary>
/// Produces approved evidence requests in the background, one at a time. The request's state lives in the database, so
/// a request that was Producing when the hub stopped is produced again from scratch at start-up; the package only gets
/// its final name when complete, and Ready is set after that. Ready packages past their lifetime are deleted.
/// </summary>
public sealed class EvidenceProducer(
    IServiceScopeFactory scopes, ICameraDirectory cameras, IEvidenceFootage footage, CameraFileMasker masker, EvidenceSigningKey key,
    IAuditLog audit, IOptions<EvidenceOptions> options, TimeProvider time, ILogger<EvidenceProducer> logger,
    IClusterLeases leases, IJobClaims claims, Microsoft.AspNetCore.SignalR.IHubContext<StreamBroker.Events.CameraEventsHub>? events = null, StreamBroker.Alarms.IAlarmSink? alarms = null,
    EvidenceMarks? marks = null) : BackgroundService
{
    private const double ContinuityToleranceSeconds = 1.5;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Wakes the producer (a request was approved).</summary>
    public void Nudge() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await leases.RunOnceInClusterAsync("evidence:expiry", ExpireAsync, stoppingToken);
                while (await ClaimNextAsync(stoppingToken) is { } claim)
                {
                    await using (claim.Claim)
                    {
                        using var both = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, claim.Claim.Lost);
                        await ProduceAsync(claim.Id, both.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Evidence producer loop failed; retrying");
            }

            try
            {
                // Woken by an approval, or polls (an approval in another process, expiry).
                await _wake.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The oldest request waiting to be produced that no node is producing, claimed as job "evidence" (on PostgreSQL a
    /// row naming this node taken FOR UPDATE SKIP LOCKED and renewed while it produces: a request whose node died is
    /// claimable again once that claim lapses, and is produced here from scratch, as Producing requests are after a
    /// restart; on one node a process-local lease).
    /// </summary>
    private async Task<(Guid Id, IJobClaim Claim)?> ClaimNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MaskingDbContext>();
        var ids = await db.EvidenceRequests.Where(r => r.Status == EvidenceStatus.Approved || r.Status == EvidenceStatus.Producing)
            .OrderBy(r => r.DecidedAtUtc).Select(r => r.Id).Take(20).ToListAsync(ct);
        var waiting = ids.ConvertAll(id => id.ToString());
        while (waiting.Count > 0 && await claims.TryClaimAsync("evidence", waiting, ct) is { } claim)
        {
            // Another node may have finished it between the query and the claim: only still-waiting requests are produced.
            var id = Guid.Parse(claim.Key);
            var status = await db.EvidenceRequests.AsNoTracking().Where(r => r.Id == id).Select(r => (EvidenceStatus?)r.Status).FirstOrDefaultAsync(ct);
            if (status is EvidenceStatus.Approved or EvidenceStatus.Producing)
            {
                return (id, claim);
            }

            await claim.DisposeAsync();
            waiting.Remove(claim.Key);
        }

        return null;
    }

    /// <summary>Produces one request; any failure marks it Failed with the reason and leaves no package.</summary>
    public async Task ProduceAsync(Guid id, CancellationToken ct)
    {
        var exports = ExportsDirectory();
        var work = Path.Combine(exports, $"{id}.work");
        var zip = Path.Combine(exports, $"{id}.zip");
        var started = time.GetTimestamp();
        try
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true); // an interrupted earlier attempt: start again
            }

            Directory.CreateDirectory(work);
            File.Delete(zip);
            var request = await UpdateAsync(id, r => { r.Status = EvidenceStatus.Producing; r.Progress = 0; r.Stage = "checking cameras"; r.Error = null; }, ct);
            var manifestCameras = new List<EvidenceCamera>();
            var videos = new List<(string Name, string Path)>();
            var plans = new List<(CameraSource Camera, CameraFootage Footage)>();
            foreach (var cameraId in request.CameraIds)
            {
                var camera = await cameras.FindAsync(cameraId, ct) ?? throw new EvidenceRefusedException($"camera {cameraId} is no longer in the registry");
                if (camera.Masking.Kind == MaskingKind.FacadeDistance)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var calibration = await scope.ServiceProvider.GetRequiredService<CalibrationStore>().FindAsync(cameraId, ct);
                    if (calibration is null)
                    {
                        throw new EvidenceRefusedException($"camera {cameraId} must be masked to {camera.Masking.KeepDistanceMetres} m of the façade but has no calibration; calibrate it before exporting");
                    }
                }

                plans.Add((camera, await footage.FindAsync(cameraId, request.FromUtc, request.ToUtc, ct)));
            }

            var runsTotal = Math.Max(1, plans.Sum(p => Runs(p.Footage.Segments).Count));
            var done = 0;
            var unmasked = new List<(string CameraId, EvidenceMaskLift Lift)>();
            foreach (var (camera, found) in plans)
            {
                var lift = await UnmaskedLiftAsync(request, camera, ct);
                if (lift is not null)
                {
                    unmasked.Add((camera.Id, lift));
                }

                var cameraVideos = new List<EvidenceVideo>();
                var versionsUsed = new List<EvidenceMaskVersion>();
                string? maskHash = null;
                var runIndex = 0;
                foreach (var run in Runs(found.Segments))
                {
                    var from = run[0].StartUtc < request.FromUtc ? request.FromUtc : run[0].StartUtc;
                    var to = run[^1].EndUtc > request.ToUtc ? request.ToUtc : run[^1].EndUtc;
                    if (to <= from)
                    {
                        continue;
                    }

                    // The masker decodes the joined recording itself from each span's exact first frame (no lossless
                    // intermediate), and each moment is masked with the mask in force when it was recorded: a run crossing a
                    // change of mask becomes one video per version.
                    await UpdateAsync(id, r => { r.Stage = $"joining {camera.Id}"; r.Progress = 5 + (90 * done / runsTotal); }, ct);
                    var joined = Path.Combine(work, $"{camera.Id}-{runIndex}.joined.mp4");
                    await JoinAsync(run, joined, ct);
                    foreach (var span in await MaskSpansAsync(camera, from, to, ct))
                    {
                        runIndex++;
                        await UpdateAsync(id, r => { r.Stage = $"masking {camera.Id}"; r.Progress = 5 + (90 * done / runsTotal) + (5 / runsTotal); }, ct);
                        var name = $"videos/{camera.Id}-{span.From:yyyyMMddTHHmmssZ}.mp4";
                        var output = Path.Combine(work, $"{camera.Id}-{runIndex}.mp4");
                        var definition = span.Version.Definition();
                        // Under an approved lift the copy keeps the whole picture (re-encoded like every export, nothing obscured).
                        var profile = lift is null ? definition.Profile(camera.Masking.AllowAudio) : new MaskingProfile { Kind = MaskingKind.None, AllowAudio = camera.Masking.AllowAudio };
                        var result = await masker.MaskAsync(camera.Id, profile, definition.Calibration, joined, output, ct,
                            new VideoWindow(span.From - run[0].StartUtc, span.To - span.From));
                        var videoMask = definition.Kind == MaskingKind.None || lift is not null ? null : result.MaskSha256;
                        maskHash = videoMask ?? maskHash;
                        videos.Add((name, output));
                        cameraVideos.Add(new EvidenceVideo(name, span.From, span.To, result.Frames, result.FramesObscuredEntirely)
                        {
                            MaskVersion = span.Version.Version,
                            MaskSha256 = videoMask,
                            PersonDetector = result.Detector,
                        });
                        if (versionsUsed.All(v => v.Version != span.Version.Version))
                        {
                            versionsUsed.Add(new EvidenceMaskVersion(span.Version.Version, span.Version.ValidFromUtc, span.Version.Kind, span.Version.DefinitionSha256));
                        }
                    }

                    File.Delete(joined);
                    done++;
                }

                var sources = new List<EvidenceSourceSegment>();
                foreach (var s in found.Segments)
                {
                    await using var stream = File.OpenRead(s.Path);
                    sources.Add(new EvidenceSourceSegment(Path.GetFileName(s.Path), s.StartUtc, s.EndUtc, s.Bytes, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct))));
                }

                LegalBasis basis;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    basis = await scope.ServiceProvider.GetRequiredService<CameraRegistry.Persistence.RegistryDbContext>().Cameras.AsNoTracking()
                        .Where(c => c.Id == camera.Id).Select(c => c.LegalBasis).FirstAsync(ct);
                }

                var (bookmarks, cameraEvents) = await (marks ?? new EvidenceMarks()).ForAsync(camera.Id, request.FromUtc, request.ToUtc, ct);
                manifestCameras.Add(new EvidenceCamera
                {
                    Id = camera.Id,
                    Name = camera.Name,
                    Owner = camera.OwnerId,
                    LegalBasis = basis.Kind.ToString(),
                    LegalBasisReference = basis.Reference,
                    GdprArticle = basis.GdprArticle,
                    Purpose = basis.Purpose,
                    MaskingProfile = camera.Masking.Kind == MaskingKind.FacadeDistance
                        ? string.Create(CultureInfo.InvariantCulture, $"FacadeDistance {camera.Masking.KeepDistanceMetres} m")
                        : camera.Masking.Kind.ToString(),
                    MaskSha256 = maskHash,
                    Unmasked = lift is not null,
                    MaskLift = lift,
                    MaskVersions = versionsUsed,
                    Videos = cameraVideos,
                    SourceSegments = sources,
                    Gaps = found.Gaps,
                    Bookmarks = bookmarks,
                    Events = cameraEvents,
                });
            }

            await UpdateAsync(id, r => { r.Stage = "packaging"; r.Progress = 96; }, ct);
            var now = time.GetUtcNow().UtcDateTime;
            var (manifest, packageHash) = await EvidencePackage.WriteAsync(zip, videos, files => new EvidenceManifest
            {
                Format = EvidencePackage.FormatName,
                RequestId = request.Id,
                CaseNumber = request.CaseNumber,
                RequestedBy = request.RequestedBy,
                ApprovedBy = request.DecidedBy ?? string.Empty,
                Reason = request.Reason,
                From = request.FromUtc,
                To = request.ToUtc,
                Cameras = manifestCameras,
                Files = files,
                Software = $"CameraHub {typeof(EvidenceProducer).Assembly.GetName().Version}",
                CreatedAt = now,
                SigningKeyFingerprint = key.Fingerprint,
            }, key, ct);
            Directory.Delete(work, recursive: true);
            await UpdateAsync(id, r =>
            {
                r.Status = EvidenceStatus.Ready;
                r.Progress = 100;
                r.Stage = "ready";
                r.PackageFile = Path.GetFileName(zip);
                r.PackageSha256 = packageHash;
                r.PackageBytes = new FileInfo(zip).Length;
                r.ReadyAtUtc = now;
                r.ExpiresAtUtc = now + options.Value.PackageLifetime;
            }, ct);
            EvidenceMetrics.Finished(true, time.GetElapsedTime(started));
            if (alarms is not null)
            {
                await alarms.ClearAsync(StreamBroker.Alarms.HubAlarmKinds.EvidenceFailed, request.CaseNumber, ct);
            }

            await audit.AppendAsync(new AuditEvent(AuditAction.EvidenceProduced, AuditOutcome.Allowed, "evidence-producer", Purpose: request.CaseNumber,
                Details: $"{videos.Count} video(s), package SHA-256 {packageHash}, {manifest.Cameras.Sum(c => c.Gaps.Count)} gap(s)", SubjectType: "evidence", SubjectId: id.ToString()), ct);
            foreach (var (cameraId, lift) in unmasked)
            {
                await audit.AppendAsync(new AuditEvent(AuditAction.EvidenceUnmaskedCopy, AuditOutcome.Allowed, "evidence-producer", cameraId, request.CaseNumber,
                    Details: $"unmasked copy for '{request.RequestedBy}' under mask lift {lift.Id} approved by '{lift.ApprovedBy}': {lift.Reason}; package SHA-256 {packageHash}",
                    SubjectType: "evidence", SubjectId: id.ToString()), ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Evidence request {Id} failed", id);
            TryDelete(zip);
            TryDeleteDirectory(work);
            var reason = ex is EvidenceRefusedException or CalibrationRejectedException or InvalidDataException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            EvidenceMetrics.Finished(false, time.GetElapsedTime(started));
            var failed = await UpdateAsync(id, r => { r.Status = EvidenceStatus.Failed; r.Error = reason; r.Stage = "failed"; }, CancellationToken.None);
            if (alarms is not null)
            {
                // One alarm per case (administrators and the DPO only: a case number is the police's): a later package
                // for the same case clears it.
                await alarms.RaiseAsync(new StreamBroker.Alarms.HubAlarm(StreamBroker.Alarms.HubAlarmKinds.EvidenceFailed, failed.CaseNumber, StreamBroker.Alarms.AlarmSeverity.Major,
                    $"Evidence request {id} for case {failed.CaseNumber} failed, no package was made: {reason}"), CancellationToken.None);
            }

            await audit.AppendAsync(new AuditEvent(AuditAction.EvidenceFailed, AuditOutcome.Denied, "evidence-producer", Details: reason, SubjectType: "evidence", SubjectId: id.ToString()), CancellationToken.None);
        }
    }

    /// <summary>Deletes ready packages past their lifetime and ends their legal holds.</summary>
    public async Task ExpireAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MaskingDbContext>();
        var expired = await db.EvidenceRequests.Where(r => r.Status == EvidenceStatus.Ready && r.ExpiresAtUtc < now).ToListAsync(ct);
        foreach (var r in expired)
        {
            TryDelete(Path.Combine(ExportsDirectory(), r.PackageFile ?? $"{r.Id}.zip"));
            foreach (var hold in r.HoldIds)
            {
                await footage.ReleaseHoldAsync(hold, "evidence-expiry", ct);
            }

            r.Status = EvidenceStatus.Expired;
            r.Stage = "expired";
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(new AuditEvent(AuditAction.EvidenceExpired, AuditOutcome.Allowed, "evidence-producer", Purpose: r.CaseNumber,
                Details: "package deleted and legal holds released", SubjectType: "evidence", SubjectId: r.Id.ToString()), ct);
        }
    }

    /// <summary>The exports directory as an absolute path.</summary>
    public string ExportsDirectory()
    {
        var dir = Path.GetFullPath(options.Value.ExportsDirectory);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>The approved lift a camera of the request is exported unmasked under, or null (masked as always).</summary>
    private async Task<EvidenceMaskLift?> UnmaskedLiftAsync(EvidenceRequest request, CameraSource camera, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await UnmaskedEvidence.LiftForAsync(scope.ServiceProvider, request, camera, ct);
    }

    /// <summary>The mask versions in force over [from, to); the export is refused when the history cannot say.</summary>
    private async Task<IReadOnlyList<History.MaskSpan>> MaskSpansAsync(CameraSource camera, DateTime from, DateTime to, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            return await scope.ServiceProvider.GetRequiredService<History.MaskHistory>().CoveringAsync(camera, from, to, ct);
        }
        catch (StreamBroker.Masked.MaskUnavailableException e)
        {
            throw new EvidenceRefusedException(e.Message);
        }
    }

    /// <summary>Groups segments into stretches of continuous footage.</summary>
    internal static List<List<FootageSegment>> Runs(IReadOnlyList<FootageSegment> segments)
    {
        var runs = new List<List<FootageSegment>>();
        foreach (var s in segments.OrderBy(s => s.StartUtc))
        {
            if (runs.Count > 0 && (s.StartUtc - runs[^1][^1].EndUtc).TotalSeconds <= ContinuityToleranceSeconds)
            {
                runs[^1].Add(s);
            }
            else
            {
                runs.Add([s]);
            }
        }

        return runs;
    }

    /// <summary>
    /// Joins consecutive recorded segments into one fragmented MP4: each segment is the camera's init (ftyp+moov) followed
    /// by fragments whose decode times continue across files, so the first file is kept whole and the later ones without
    /// their init. (ffmpeg's concat demuxer would shift each file's already-continuous timestamps a second time.)
    /// Segments whose init differs (the camera changed format) cannot be joined.
    /// </summary>
    internal static async Task JoinAsync(IReadOnlyList<FootageSegment> run, string output, CancellationToken ct)
    {
        await using var target = new FileStream(output, FileMode.Create, FileAccess.Write);
        byte[]? firstInit = null;
        for (var i = 0; i < run.Count; i++)
        {
            var bytes = await File.ReadAllBytesAsync(run[i].Path, ct);
            var position = 0;
            var init = new MemoryStream();
            while (position + 8 <= bytes.Length)
            {
                long size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(position));
                var type = System.Text.Encoding.ASCII.GetString(bytes, position + 4, 4);
                if (size == 1 && position + 16 <= bytes.Length)
                {
                    size = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(position + 8));
                }
                else if (size == 0)
                {
                    size = bytes.Length - position;
                }

                if (size < 8 || position + size > bytes.Length)
                {
                    break; // a torn last box (recovered partial segment): keep what is whole
                }

                var box = bytes.AsMemory(position, (int)size);
                if (type is "ftyp" or "moov")
                {
                    init.Write(box.Span);
                    if (i == 0)
                    {
                        await target.WriteAsync(box, ct);
                    }
                }
                else if (type is "moof" or "mdat")
                {
                    await target.WriteAsync(box, ct);
                }

                position += (int)size;
            }

            var initBytes = init.ToArray();
            if (i == 0)
            {
                firstInit = initBytes;
            }
            else if (!initBytes.AsSpan().SequenceEqual(firstInit))
            {
                throw new InvalidDataException($"{Path.GetFileName(run[i].Path)} has a different stream format than {Path.GetFileName(run[0].Path)}; the camera changed its settings inside the window");
            }
        }
    }

    private async Task<EvidenceRequest> UpdateAsync(Guid id, Action<EvidenceRequest> change, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MaskingDbContext>();
        var request = await db.EvidenceRequests.FirstAsync(r => r.Id == id, ct);
        change(request);
        await db.SaveChangesAsync(ct);
        if (events is not null)
        {
            // Progress goes to the two people the request concerns, not to every console.
            string[] users = [request.RequestedBy, .. request.DecidedBy is { } d ? new[] { d } : []];
            await events.Clients.Users(users).SendAsync(StreamBroker.Events.CameraEventsHub.EvidenceProgress,
                new { id = request.Id, status = request.Status.ToString(), progress = request.Progress, stage = request.Stage, error = request.Error }, CancellationToken.None);
        }

        return request;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            File.Delete(path + ".partial");
        }
        catch (IOException)
        {
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}

/// <summary>The export cannot be made as asked (e.g. a camera that must be masked has no calibration).</summary>
public sealed class EvidenceRefusedException(string message) : Exception(message);
