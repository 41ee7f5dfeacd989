using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Import;

/// <summary>The outcome of an import: how many cameras were written, or every reason none were.</summary>
public sealed record ImportResult(int Imported, IReadOnlyList<ImportError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>Imports a camera CSV all or nothing: every row is checked first, then all are written in one transaction.</summary>
public sealed class CameraImporter(RegistryDbContext db, CameraCatalogue catalogue, TimeProvider time)
{
    /// <param name="csv">The file, header first.</param>
    /// <param name="actor">Who imports, for history and audit.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="ownerRefusal">Says why the importing user may not manage an owner (null: may); every row of such an owner fails.</param>
    public async Task<ImportResult> ImportAsync(TextReader csv, string actor, CancellationToken ct, Func<string, CancellationToken, Task<string?>>? ownerRefusal = null)
    {
        var (rows, errors) = CameraCsv.Read(csv);
        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add(new ImportError(2, "(row)", "the file has a header but no cameras"));
        }

        var context = await catalogue.RuleContextAsync(ct);
        var existing = (await db.Cameras.AsNoTracking().Select(c => c.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var refusals = new Dictionary<string, string?>(StringComparer.Ordinal);
        var inputs = new List<CameraInput>(rows.Count);
        foreach (var (line, raw) in rows)
        {
            var camera = CameraCatalogue.MoveUrlCredentials(raw);
            foreach (var (field, messages) in CameraRules.Validate(camera, context))
            {
                errors.AddRange(messages.Select(m => new ImportError(line, field, m)));
            }

            if (ownerRefusal is not null && camera.OwnerId is { } owner && context.OrganisationIds.Contains(owner))
            {
                if (!refusals.TryGetValue(owner, out var refusal))
                {
                    refusals[owner] = refusal = await ownerRefusal(owner, ct);
                }

                if (refusal is not null)
                {
                    errors.Add(new ImportError(line, "ownerId", refusal));
                }
            }

            if (camera.Id is { } id)
            {
                if (existing.Contains(id))
                {
                    errors.Add(new ImportError(line, "id", $"camera '{id}' already exists in the registry"));
                }
                else if (seen.TryGetValue(id, out var first))
                {
                    errors.Add(new ImportError(line, "id", $"camera '{id}' appears twice (first on line {first})"));
                }
                else
                {
                    seen[id] = line;
                }
            }

            inputs.Add(camera);
        }

        if (errors.Count > 0)
        {
            return new ImportResult(0, [.. errors.OrderBy(e => e.Line)]);
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var input in inputs)
            {
                var camera = new Camera { Id = input.Id!, Name = input.Name!, OwnerId = input.OwnerId!, CreatedAtUtc = now };
                catalogue.Apply(camera, input, now);
                db.Cameras.Add(camera);
                db.CameraChanges.Add(CameraCatalogue.Change(camera, CameraChangeKind.Imported, actor, null, now));
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            await catalogue.MaskingWrittenAsync([.. inputs.Select(i => (i.Id!, i.Masking))], actor, "camera imported", ct);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
            db.ChangeTracker.Clear();
        }

        return new ImportResult(inputs.Count, []);
    }
}
