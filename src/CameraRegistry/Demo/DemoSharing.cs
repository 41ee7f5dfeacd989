using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Sharing;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Demo;

/// <summary>The demo partner: Västtrafik with an RTSP agreement on the city's traffic cameras (DESIGN.md section 10).</summary>
public sealed class DemoSharing(IDbContextFactory<AccessDbContext> contexts, TimeProvider time)
{
    public const string Partner = "vasttrafik";

    /// <summary>Creates the agreement and first credentials once; returns the credentials when just issued (to print once), else null.</summary>
    public async Task<PartnerCredentialsIssued?> EnsureAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        if (!await db.SharingAgreements.AnyAsync(a => a.PartnerId == Partner && a.CreatedBy == "demo-seed", ct))
        {
            db.SharingAgreements.Add(new SharingAgreement
            {
                Id = Guid.NewGuid(),
                PartnerId = Partner,
                OwnerId = "stadsmiljonamnden",
                Category = CameraCategory.Traffic,
                Purpose = "Trafikinformation och störningshantering i kollektivtrafiken",
                LegalBasisReference = "SMN 2026-0112 (avtal med Västtrafik AB)",
                Protocols = SharingProtocols.Rtsp | SharingProtocols.Hls,
                CreatedBy = "demo-seed",
                CreatedAtUtc = now,
            });
        }

        PartnerCredentialsIssued? issued = null;
        if (!await db.PartnerCredentials.AnyAsync(c => c.PartnerId == Partner, ct))
        {
            (issued, var row) = SharingEndpoints.NewCredentials(Partner, "demo-seed", now);
            db.PartnerCredentials.Add(row);
        }

        await db.SaveChangesAsync(ct);
        return issued;
    }
}
