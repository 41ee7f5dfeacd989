using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Import;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Care;

/// <summary>Registering, importing, pausing, resuming and withdrawing decisions; every change kept in the history.</summary>
public sealed class CareDecisions(
    IDbContextFactory<CareDbContext> contexts, ICameraDirectory cameras, CareVisitPlanner.Gate planning, AccessChangeFeed access,
    IAuditLog audit, TimeProvider time)
{
    /// <summary>Registers one decision, or returns why not (field → problems).</summary>
    public async Task<(CareDecision? Decision, Dictionary<string, List<string>> Errors)> CreateAsync(CareDecisionInput input, string actor, CancellationToken ct)
    {
        var result = await ImportRowsAsync([(0, input)], actor, "created", ct);
        return result.Errors.Count == 0
            ? (result.Decisions[0], [])
            : (null, result.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToList()));
    }

    /// <summary>Imports a CSV of decisions: every row or none; each bad row named by line and field.</summary>
    public async Task<ImportResult> ImportAsync(TextReader reader, string actor, Func<string, CancellationToken, Task<string?>> mayManage, CancellationToken ct)
    {
        var (rows, errors) = CareDecisionCsv.Read(reader);
        foreach (var (line, row) in rows)
        {
            // An unknown camera is named by the row checks; a known one must be the importer's to manage.
            if (row.CameraId is { Length: > 0 } camera && await cameras.FindAsync(camera, ct) is not null && await mayManage(camera, ct) is { } refusal)
            {
                errors.Add(new ImportError(line, "cameraId", refusal));
            }
        }

        var result = await ImportRowsAsync(rows, actor, "imported", ct, errors);
        return new ImportResult(result.Errors.Count == 0 ? result.Decisions.Count : 0, result.Errors);
    }

    internal async Task<(List<CareDecision> Decisions, List<ImportError> Errors)> ImportRowsAsync(
        IReadOnlyList<(int Line, CareDecisionInput Input)> rows, string actor, string change, CancellationToken ct, List<ImportError>? found = null)
    {
        var now = time.GetUtcNow();
        var errors = found ?? [];
        using var planningTurn = await planning.EnterAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var references = await db.Decisions.Select(d => d.DecisionReference).ToListAsync(ct);
        var taken = new HashSet<string>(references, StringComparer.OrdinalIgnoreCase);
        var activeCameras = new HashSet<string>(
            await db.Decisions.Where(d => d.State == DecisionState.Active).Select(d => d.CameraId).ToListAsync(ct), StringComparer.Ordinal);
        var decisions = new List<CareDecision>();
        foreach (var (line, input) in rows)
        {
            var camera = string.IsNullOrWhiteSpace(input.CameraId) ? null : await cameras.FindAsync(input.CameraId, ct);
            foreach (var (field, messages) in CareDecisionRules.Validate(input, camera, now))
            {
                errors.AddRange(messages.Select(m => new ImportError(line, field, m)));
            }

            if (input.DecisionReference is { } reference && !taken.Add(reference))
            {
                errors.Add(new ImportError(line, "decisionReference", $"decision {reference} is already registered"));
            }

            if (input.CameraId is { } cameraId && !activeCameras.Add(cameraId))
            {
                errors.Add(new ImportError(line, "cameraId", $"camera '{cameraId}' already has an active decision; withdraw it first"));
            }

            if (errors.Count == 0)
            {
                decisions.Add(new CareDecision
                {
                    Id = Guid.NewGuid(), CameraId = input.CameraId!, ResidentId = input.ResidentId!.Trim(), ResidentName = input.ResidentName!.Trim(),
                    DecisionReference = input.DecisionReference!.Trim(), DecisionDate = input.DecisionDate!.Value, ValidFrom = input.ValidFrom!.Value,
                    ValidTo = input.ValidTo, ConsentBy = input.ConsentBy!.Trim(), ConsentAtUtc = input.ConsentAt!.Value.UtcDateTime,
                    Schedule = input.Schedule!.Trim(), WindowMinutes = input.WindowMinutes ?? 15, LongestLookSeconds = (input.LongestLookMinutes ?? 3) * 60,
                    CareUnit = input.CareUnit!.Trim(), UpdatedAtUtc = now.UtcDateTime, UpdatedBy = actor,
                });
            }
        }

        if (errors.Count > 0)
        {
            return ([], errors);
        }

        db.Decisions.AddRange(decisions);
        db.DecisionHistory.AddRange(decisions.Select(d => History(d, change, actor, now)));
        foreach (var decision in decisions)
        {
            await CareVisitPlanner.PlanNewAsync(db, decision, now.UtcDateTime, ct);
        }

        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(
            decisions.Count == 1 ? AuditAction.CareDecisionCreated : AuditAction.CareDecisionImported, AuditOutcome.Allowed, actor,
            decisions.Count == 1 ? decisions[0].CameraId : null, "care",
            Details: $"{decisions.Count} supervision decision(s) {change}: {string.Join(", ", decisions.Take(20).Select(d => d.DecisionReference))}",
            SubjectType: "CareDecision", SubjectId: decisions.Count == 1 ? decisions[0].Id.ToString() : null), ct);
        return (decisions, errors);
    }

    /// <summary>
    /// Pauses, resumes or withdraws a decision. Pausing or withdrawing cancels its visits not yet done, ends every
    /// open look and tells the broker (the access-change signal), so an open view ends within a second.
    /// </summary>
    public async Task<(CareDecision? Decision, string? Problem)> ChangeStateAsync(Guid id, DecisionState state, string? reason, string actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        using (await planning.EnterAsync(ct))
        {
            return await ChangeStateLockedAsync(id, state, reason, actor, now, ct);
        }
    }

    private async Task<(CareDecision? Decision, string? Problem)> ChangeStateLockedAsync(Guid id, DecisionState state, string? reason, string actor, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var decision = await db.Decisions.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (decision is null)
        {
            return (null, null);
        }

        var problem = (decision.State, state) switch
        {
            (DecisionState.Withdrawn, _) => $"decision {decision.DecisionReference} is withdrawn; register a new decision instead",
            (var from, var to) when from == to => $"decision {decision.DecisionReference} is already {to.ToString().ToLowerInvariant()}",
            (_, not DecisionState.Active) when string.IsNullOrWhiteSpace(reason) => "a reason is required (e.g. 'in hospital', 'consent withdrawn')",
            _ => null,
        };
        if (problem is not null)
        {
            return (decision, problem);
        }

        decision.State = state;
        decision.StateReason = reason?.Trim();
        decision.Version++;
        decision.UpdatedAtUtc = now.UtcDateTime;
        decision.UpdatedBy = actor;
        db.DecisionHistory.Add(History(decision, state.ToString().ToLowerInvariant(), actor, now));
        var endedLooks = 0;
        if (state == DecisionState.Active)
        {
            await CareVisitPlanner.ResumeAsync(db, decision, now.UtcDateTime, ct);
        }
        else
        {
            endedLooks = await CareVisitPlanner.CancelAsync(db, decision, now.UtcDateTime, ct);
        }

        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(new AuditEvent(
            state switch { DecisionState.Active => AuditAction.CareDecisionResumed, DecisionState.Paused => AuditAction.CareDecisionPaused, _ => AuditAction.CareDecisionWithdrawn },
            AuditOutcome.Allowed, actor, decision.CameraId, "care",
            Details: $"decision {decision.DecisionReference} {state.ToString().ToLowerInvariant()}: {reason}; open looks ended: {endedLooks}",
            SubjectType: "CareDecision", SubjectId: decision.Id.ToString()), ct);
        if (state != DecisionState.Active)
        {
            await access.PublishAsync(new AccessChanged(null, null, $"care decision {decision.DecisionReference} {state.ToString().ToLowerInvariant()}"));
        }

        return (decision, null);
    }

    private static CareDecisionChange History(CareDecision d, string change, string actor, DateTimeOffset now) => new()
    {
        DecisionId = d.Id, Version = d.Version, AtUtc = now.UtcDateTime, By = actor, Change = change,
        Snapshot = JsonSerializer.Serialize(new
        {
            d.CameraId, d.ResidentId, d.DecisionReference, d.DecisionDate, d.ValidFrom, d.ValidTo, d.ConsentBy, d.ConsentAtUtc,
            d.Schedule, d.WindowMinutes, d.LongestLookSeconds, d.CareUnit, State = d.State.ToString(), d.StateReason,
        }),
    };
}
