namespace CameraHub.Masking.Evidence;

/// <summary>The signed description of an evidence package (manifest.json).</summary>
public sealed record EvidenceManifest
{
    public required string Format { get; init; }
    public required Guid RequestId { get; init; }
    public required string CaseNumber { get; init; }
    public required string RequestedBy { get; init; }
    public required string ApprovedBy { get; init; }
    public required string Reason { get; init; }
    /// <summary>UTC, ISO 8601: the exact window the videos cover.</summary>
    public required DateTime From { get; init; }
    public required DateTime To { get; init; }
    public required IReadOnlyList<EvidenceCamera> Cameras { get; init; }
    /// <summary>Every file in the package but the manifest, its signature and the checksum list: path → SHA-256 (hex).</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }
    public required string Software { get; init; }
    public required DateTime CreatedAt { get; init; }
    /// <summary>SHA-256 of the DER public key that signed this manifest.</summary>
    public required string SigningKeyFingerprint { get; init; }
}

/// <summary>One camera's part of a package.</summary>
public sealed record EvidenceCamera
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Owner { get; init; }
    public required string LegalBasis { get; init; }
    public string? LegalBasisReference { get; init; }
    public string? GdprArticle { get; init; }
    public string? Purpose { get; init; }
    /// <summary>None, FacadeDistance or PrivacyPolygons.</summary>
    public required string MaskingProfile { get; init; }
    /// <summary>SHA-256 of the mask bits applied; null when nothing was masked.</summary>
    public string? MaskSha256 { get; init; }
    /// <summary>True when this camera's videos are NOT masked although its profile masks: an unmasked copy under <see cref="MaskLift"/>.</summary>
    public bool Unmasked { get; init; }
    /// <summary>The approved mask lift the unmasked copy was made under (id, reason, requester, approver); null for a masked copy.</summary>
    public EvidenceMaskLift? MaskLift { get; init; }
    /// <summary>The mask versions the videos were masked with (the mask in force when each was recorded).</summary>
    public IReadOnlyList<EvidenceMaskVersion> MaskVersions { get; init; } = [];
    /// <summary>One video per stretch of continuous footage under one mask version in the window; empty when there is none.</summary>
    public required IReadOnlyList<EvidenceVideo> Videos { get; init; }
    /// <summary>The untouched originals (kept under legal hold) the video was cut from, with their SHA-256.</summary>
    public required IReadOnlyList<EvidenceSourceSegment> SourceSegments { get; init; }
    /// <summary>Parts of the window with no footage (camera offline, hub stopped, outside allowed hours).</summary>
    public required IReadOnlyList<EvidenceGap> Gaps { get; init; }
    /// <summary>Operators' bookmarks on this camera that overlap the window, oldest first.</summary>
    public IReadOnlyList<EvidenceBookmark> Bookmarks { get; init; } = [];
    /// <summary>The camera's own events (motion, tamper, inputs…) inside the window, oldest first.</summary>
    public IReadOnlyList<EvidenceCameraEvent> Events { get; init; } = [];
}

/// <summary>An operator's bookmark: the stretch it marks (UTC), the note, who wrote it and when.</summary>
public sealed record EvidenceBookmark(DateTime At, DateTime To, string Note, string CreatedBy, DateTime CreatedAt);

/// <summary>A camera event: when it happened (camera time corrected for skew, UTC), category, raw ONVIF topic, state.</summary>
public sealed record EvidenceCameraEvent(DateTime At, string Category, string Topic, string? Operation, bool? Active);

/// <summary>A masked video in the package and the exact UTC stretch it covers.</summary>
public sealed record EvidenceVideo(string Path, DateTime From, DateTime To, int Frames, int FramesObscuredEntirely)
{
    /// <summary>The camera's mask version this video was masked with.</summary>
    public int? MaskVersion { get; init; }
    /// <summary>SHA-256 of the mask bits applied to this video; null when nothing was masked.</summary>
    public string? MaskSha256 { get; init; }
    /// <summary>The person detector that ran on this video (null when the profile needs none).</summary>
    public string? PersonDetector { get; init; }
}

/// <summary>A version of a camera's mask named in a manifest: its number, start of validity, kind and definition hash.</summary>
public sealed record EvidenceMaskVersion(int Version, DateTime ValidFrom, string Kind, string DefinitionSha256);

/// <summary>A recorded segment a video was cut from.</summary>
public sealed record EvidenceSourceSegment(string Name, DateTime Start, DateTime End, long Bytes, string Sha256);

/// <summary>A stretch of the window without footage.</summary>
public sealed record EvidenceGap(DateTime From, DateTime To);
