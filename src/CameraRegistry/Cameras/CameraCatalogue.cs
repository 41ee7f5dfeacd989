using System.Text.Json;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Cameras;

/// <summary>The outcome of a camera write: the camera, or the rules it broke.</summary>
public sealed record CameraWriteResult(Camera? Camera, Dictionary<string, List<string>> Errors, bool NotFound = false, bool Conflict = false)
{
    public bool Succeeded => Camera is not null;
}

/// <summary>Creates, replaces and decommissions cameras, validating every write and keeping each change.</summary>
public sealed class CameraCatalogue(RegistryDbContext db, CredentialProtector protector, TimeProvider time, IEnumerable<IMaskingProfileLog>? maskingLogs = null)
{
    internal static readonly JsonSerializerOptions HistoryJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Loads what the rules check references against (owners, sites, partners).</summary>
    public async Task<CameraRuleContext> RuleContextAsync(CancellationToken ct)
    {
        var orgs = await db.Organisations.AsNoTracking().Select(o => o.Id).ToListAsync(ct);
        var sites = await db.Sites.AsNoTracking().Select(s => s.Id).ToListAsync(ct);
        var set = orgs.ToHashSet(StringComparer.Ordinal);
        return new CameraRuleContext(Today(), set, sites.ToHashSet(StringComparer.Ordinal), set);
    }

    public DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<CameraWriteResult> CreateAsync(CameraInput input, string actor, CancellationToken ct)
    {
        input = MoveUrlCredentials(input);
        var errors = CameraRules.Validate(input, await RuleContextAsync(ct));
        if (errors.Count > 0)
        {
            return new(null, errors);
        }

        if (await db.Cameras.AnyAsync(c => c.Id == input.Id, ct))
        {
            return new(null, new() { ["id"] = [$"camera '{input.Id}' already exists"] }, Conflict: true);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var camera = new Camera { Id = input.Id!, Name = input.Name!, OwnerId = input.OwnerId!, CreatedAtUtc = now };
        Apply(camera, input, now);
        db.Cameras.Add(camera);
        db.CameraChanges.Add(Change(camera, CameraChangeKind.Created, actor, null, now));
        await db.SaveChangesAsync(ct);
        await MaskingWrittenAsync([(camera.Id, camera.Masking)], actor, "camera created", ct);
        return new(camera, []);
    }

    public async Task<CameraWriteResult> UpdateAsync(string id, CameraInput input, string actor, CancellationToken ct)
    {
        var camera = await db.Cameras.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (camera is null)
        {
            return new(null, [], NotFound: true);
        }

        input = MoveUrlCredentials(input with { Id = id });
        var errors = CameraRules.Validate(input, await RuleContextAsync(ct));
        if (camera.Status == CameraStatus.Decommissioned && input.Status != CameraStatus.Decommissioned)
        {
            errors["status"] = ["a decommissioned camera stays decommissioned; register the re-installed camera under a new id"];
        }

        if (errors.Count > 0)
        {
            return new(null, errors);
        }

        var before = Snapshot(camera);
        var maskingBefore = JsonSerializer.Serialize(camera.Masking, HistoryJson);
        var wasDecommissioned = camera.Status == CameraStatus.Decommissioned;
        var now = time.GetUtcNow().UtcDateTime;
        Apply(camera, input, now);
        var kind = !wasDecommissioned && camera.Status == CameraStatus.Decommissioned
            ? CameraChangeKind.Decommissioned : CameraChangeKind.Updated;
        db.CameraChanges.Add(Change(camera, kind, actor, before, now));
        await db.SaveChangesAsync(ct);
        if (JsonSerializer.Serialize(camera.Masking, HistoryJson) != maskingBefore)
        {
            await MaskingWrittenAsync([(camera.Id, camera.Masking)], actor, "masking profile changed", ct);
        }

        return new(camera, []);
    }

    /// <summary>Tells the masking history that these cameras' profiles were just saved.</summary>
    internal async Task MaskingWrittenAsync(IReadOnlyList<(string CameraId, MaskingProfile Profile)> cameras, string actor, string change, CancellationToken ct)
    {
        foreach (var log in maskingLogs ?? [])
        {
            await log.ProfilesWrittenAsync(cameras, actor, change, ct);
        }
    }

    /// <summary>Ends a camera's surveillance; the camera and its history stay for the legal register.</summary>
    public async Task<CameraWriteResult> DecommissionAsync(string id, string actor, CancellationToken ct)
    {
        var camera = await db.Cameras.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (camera is null)
        {
            return new(null, [], NotFound: true);
        }

        if (camera.Status == CameraStatus.Decommissioned)
        {
            return new(camera, []);
        }

        var before = Snapshot(camera);
        var now = time.GetUtcNow().UtcDateTime;
        camera.Status = CameraStatus.Decommissioned;
        camera.DecommissionedAtUtc = now;
        return await SaveChangeAsync(camera, CameraChangeKind.Decommissioned, actor, before, now, ct);
    }

    /// <summary>Stores what an ONVIF probe learned (identity, stream and snapshot URLs, clock skew, profiles) and keeps the change.</summary>
    public async Task<CameraWriteResult> ApplyProbeAsync(string id, CameraProbe probe, string actor, CancellationToken ct)
    {
        var camera = await db.Cameras.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (camera is null)
        {
            return new(null, [], NotFound: true);
        }

        var before = Snapshot(camera);
        var now = time.GetUtcNow().UtcDateTime;
        // A probe only adds what the camera told; it never blanks a field the owner typed in and the camera left out.
        camera.Vendor = NonEmpty(probe.Vendor) ?? camera.Vendor;
        camera.Model = NonEmpty(probe.Model) ?? camera.Model;
        camera.Firmware = NonEmpty(probe.Firmware) ?? camera.Firmware;
        camera.RtspUrl = NonEmpty(probe.RtspUrl) ?? camera.RtspUrl;
        camera.SnapshotUrl = NonEmpty(probe.SnapshotUrl) ?? camera.SnapshotUrl;
        camera.ClockSkewSeconds = probe.ClockSkewSeconds;
        camera.OnvifProfiles = probe.Profiles;
        camera.LastProbedAtUtc = now;
        return await SaveChangeAsync(camera, CameraChangeKind.Probed, actor, before, now, ct);

        static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>Points a registered camera at its device (ONVIF and RTSP addresses, credentials) and keeps the change.</summary>
    public async Task<CameraWriteResult> ConnectAsync(string id, string? onvifUrl, string? rtspUrl, string? username, string? password, string actor, CancellationToken ct)
    {
        var camera = await db.Cameras.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (camera is null)
        {
            return new(null, [], NotFound: true);
        }

        var before = Snapshot(camera);
        camera.OnvifUrl = onvifUrl;
        camera.RtspUrl = rtspUrl;
        camera.Username = username;
        camera.ProtectedPassword = password is null ? null : protector.Protect(password);
        return await SaveChangeAsync(camera, CameraChangeKind.Updated, actor, before, time.GetUtcNow().UtcDateTime, ct);
    }

    /// <summary>Stamps the camera's write time and version, keeps the change, and saves.</summary>
    private async Task<CameraWriteResult> SaveChangeAsync(Camera camera, CameraChangeKind kind, string actor, string before, DateTime now, CancellationToken ct)
    {
        camera.UpdatedAtUtc = now;
        camera.Version++;
        db.CameraChanges.Add(Change(camera, kind, actor, before, now));
        await db.SaveChangesAsync(ct);
        return new(camera, []);
    }

    /// <summary>Copies a validated input onto a stored camera, encrypting the password and stamping life-cycle dates.</summary>
    internal void Apply(Camera camera, CameraInput input, DateTime now)
    {
        camera.Name = input.Name!.Trim();
        camera.OwnerId = input.OwnerId!;
        camera.SiteId = input.SiteId;
        camera.Category = input.Category;
        camera.Vendor = input.Vendor;
        camera.Model = input.Model;
        camera.Firmware = input.Firmware;
        camera.OnvifUrl = input.OnvifUrl;
        camera.RtspUrl = input.RtspUrl;
        camera.RtspTransport = input.RtspTransport;
        camera.Username = input.Username;
        if (input.Password is not null)
        {
            camera.ProtectedPassword = input.Password.Length == 0 ? null : protector.Protect(input.Password);
        }

        camera.Latitude = input.Latitude;
        camera.Longitude = input.Longitude;
        camera.HeadingDegrees = input.HeadingDegrees;
        camera.MountingHeightMetres = input.MountingHeightMetres;
        camera.Mode = input.Mode;
        camera.LegalBasis = input.LegalBasis;
        camera.AllowedHours = input.AllowedHours is null ? null : Schedules.AllowedHours.Parse(input.AllowedHours).ToString();
        camera.RetentionDays = input.Mode == CameraMode.LiveOnly ? null : input.RetentionDays;
        camera.Signage = input.Signage;
        camera.Masking = input.Masking;
        camera.SharingPartnerIds = [.. input.SharingPartnerIds.Distinct(StringComparer.Ordinal)];
        camera.Costs = input.Costs;
        if (input.StartedOn is { } started)
        {
            camera.ActivatedAtUtc = started.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }
        else if (input.Status == CameraStatus.Active && camera.ActivatedAtUtc is null)
        {
            camera.ActivatedAtUtc = now;
        }

        if (input.EndedOn is { } ended)
        {
            camera.DecommissionedAtUtc = ended.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }
        else if (input.Status == CameraStatus.Decommissioned && camera.Status != CameraStatus.Decommissioned)
        {
            camera.DecommissionedAtUtc = now;
        }

        camera.Status = input.Status;
        camera.UpdatedAtUtc = now;
        camera.Version++;
    }

    /// <summary>Moves user:password out of an RTSP URL so the URL can be shown without the secret.</summary>
    internal static CameraInput MoveUrlCredentials(CameraInput input)
    {
        if (input.RtspUrl is null || !Uri.TryCreate(input.RtspUrl, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0)
        {
            return input;
        }

        var parts = uri.UserInfo.Split(':', 2);
        var clean = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.ToString();
        return input with
        {
            RtspUrl = clean,
            Username = input.Username ?? Uri.UnescapeDataString(parts[0]),
            Password = input.Password ?? (parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null),
        };
    }

    internal static CameraChange Change(Camera camera, CameraChangeKind kind, string actor, string? before, DateTime now) => new()
    {
        CameraId = camera.Id,
        AtUtc = now,
        Actor = actor,
        Kind = kind,
        Before = before,
        After = Snapshot(camera),
    };

    /// <summary>The camera as JSON for history, without its encrypted password.</summary>
    internal static string Snapshot(Camera camera) =>
        JsonSerializer.Serialize(CameraView.From(camera, DateOnly.MinValue), HistoryJson);
}
