using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.Masking.Calibration;

namespace CameraHub.Masking.History;

/// <summary>
/// One version of a camera's mask, never changed once written: what was masked (the profile's geometry and, for a
/// façade camera, the calibration) from <see cref="ValidFromUtc"/> until the next version of the same camera.
/// </summary>
public sealed class MaskVersion
{
    public long Id { get; set; }
    public required string CameraId { get; set; }
    /// <summary>1, 2, … per camera.</summary>
    public int Version { get; set; }
    /// <summary>UTC; footage recorded from this moment on (until the next version) is masked with this version.</summary>
    public DateTime ValidFromUtc { get; set; }
    /// <summary>None, FacadeDistance or PrivacyPolygons.</summary>
    public required string Kind { get; set; }
    /// <summary>The <see cref="MaskDefinition"/> as canonical JSON.</summary>
    public required string DefinitionJson { get; set; }
    /// <summary>SHA-256 (hex) of <see cref="DefinitionJson"/>'s UTF-8 bytes.</summary>
    public required string DefinitionSha256 { get; set; }
    public required string ChangedBy { get; set; }
    /// <summary>What made the version: "camera created", "masking profile changed", "calibration changed", "history began".</summary>
    public required string Change { get; set; }

    public MaskDefinition Definition() => MaskDefinition.FromJson(DefinitionJson);
}

/// <summary>Everything a mask is computed from: the profile's geometry and, for façade-distance masking, the calibration.</summary>
public sealed record MaskDefinition(MaskingKind Kind, double? KeepDistanceMetres, IReadOnlyList<IReadOnlyList<double[]>> Polygons, CameraCalibration? Calibration)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// The definition of a profile and the stored calibration; the calibration counts only for façade-distance
    /// masking and the polygons only for polygon masking, so an irrelevant edit makes no new version.
    /// </summary>
    public static MaskDefinition Of(MaskingProfile profile, CameraCalibration? calibration) => profile.Kind switch
    {
        MaskingKind.FacadeDistance => new(profile.Kind, profile.KeepDistanceMetres, [], calibration),
        MaskingKind.PrivacyPolygons => new(profile.Kind, null, [.. profile.Polygons.Select(p => (IReadOnlyList<double[]>)p)], null),
        _ => new(profile.Kind, null, [], null),
    };

    /// <summary>The profile this definition masks with (audio is not part of a mask: off unless the caller allows it).</summary>
    public MaskingProfile Profile(bool allowAudio = false) => new()
    {
        Kind = Kind,
        AllowAudio = allowAudio,
        KeepDistanceMetres = KeepDistanceMetres,
        Polygons = [.. Polygons.Select(p => p.ToList())],
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static MaskDefinition FromJson(string json) =>
        JsonSerializer.Deserialize<MaskDefinition>(json, Json) ?? throw new InvalidDataException("a stored mask version has an empty definition");

    public static string Sha256Of(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
}

/// <summary>The versions that masked some footage, as a manifest, an audit entry or the API names them.</summary>
/// <param name="Version">The camera's version number.</param>
/// <param name="ValidFrom">UTC start of its validity.</param>
/// <param name="ValidUntil">UTC end of its validity (the next version's start), or null while it is the current one.</param>
/// <param name="DefinitionSha256">SHA-256 of the version's definition.</param>
public sealed record MaskVersionRef(int Version, DateTime ValidFrom, DateTime? ValidUntil, string DefinitionSha256)
{
    public override string ToString() => $"v{Version} ({DefinitionSha256[..12]})";
}
