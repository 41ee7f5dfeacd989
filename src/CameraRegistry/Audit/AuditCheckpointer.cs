using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CameraHub.CameraRegistry.Audit;

/// <summary>When checkpoints are signed and who else is told (configuration section <c>CameraHub:Audit</c>).</summary>
public sealed class AuditCheckpointOptions
{
    /// <summary>Sign once this many entries have been appended since the last checkpoint.</summary>
    public int CheckpointEveryEntries { get; set; } = 1000;
    /// <summary>Sign at least this often (minutes), new entries or not, so a missing recent checkpoint shows.</summary>
    public double CheckpointEveryMinutes { get; set; } = 10;
    /// <summary>Write every checkpoint as a log line (category CameraHub.AuditWitness) for a syslog/OTLP collector.</summary>
    public bool WitnessLog { get; set; } = true;
    /// <summary>POST every checkpoint file (JSON) to this URL, e.g. the city's archive; failures are logged, never block.</summary>
    public Uri? WitnessUrl { get; set; }

    public TimeSpan Interval => TimeSpan.FromMinutes(CheckpointEveryMinutes);
}

/// <summary>The key that signs audit checkpoints; its own, encrypted by the data-protection key ring like the others.</summary>
public sealed class AuditCheckpointKey(SecretBlobStore store, IDataProtectionProvider protection) : IDisposable
{
    private readonly ProtectedSigningKey _key = new(store, "audit-checkpoint.key", "CameraHub.AuditCheckpointKey.v1", protection);

    /// <summary>The key kept as a file in <paramref name="keyDirectory"/> (one process, or tests).</summary>
    public AuditCheckpointKey(string keyDirectory, IDataProtectionProvider protection)
        : this(SecretBlobStore.Files(keyDirectory), protection)
    {
    }

    public string PublicKeyPem => _key.PublicKeyPem;

    public string Fingerprint => _key.Fingerprint;

    /// <summary>A checkpoint over (sequence, head hash, time), signed.</summary>
    public AuditCheckpoint Sign(long sequence, string headHash, long atTicks) => new()
    {
        Sequence = sequence, HeadHash = headHash, AtTicks = atTicks, KeyFingerprint = _key.Fingerprint,
        Signature = Convert.ToBase64String(_key.Sign(Encoding.UTF8.GetBytes(AuditCheckpoint.Statement(sequence, headHash, atTicks)))),
    };

    public void Dispose() => _key.Dispose();
}

/// <summary>
/// Signs a checkpoint of the audit chain at start, every N entries, every M minutes and at shutdown; stores it, tells
/// the witnesses, and keeps the newest in memory. Before signing it checks that the chain still holds the last head it
/// signed, so a cut or rewritten chain is reported at once and never signed over.
/// </summary>
public sealed class AuditCheckpointer : BackgroundService
{
    private static readonly HttpClient Witness = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly IDbContextFactory<AccessDbContext> _contexts;
    private readonly AuditCheckpointKey _key;
    private readonly TimeProvider _time;
    private readonly AuditCheckpointOptions _options;
    private readonly ILogger _log;
    private readonly ILogger _witnessLog;
    private readonly AuditChainStatus _status;
    private readonly SemaphoreSlim _due = new(0, 1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IClusterLeases _leases;
    private long _lastSignedSequence;

    public AuditCheckpointer(
        IDbContextFactory<AccessDbContext> contexts, AuditCheckpointKey key, HashChainedAuditLog log, TimeProvider time,
        IOptions<AuditCheckpointOptions> options, ILoggerFactory loggers, IClusterLeases leases, AuditChainStatus status)
    {
        _status = status;
        _contexts = contexts;
        _leases = leases;
        _key = key;
        _time = time;
        _options = options.Value;
        _log = loggers.CreateLogger<AuditCheckpointer>();
        _witnessLog = loggers.CreateLogger("CameraHub.AuditWitness");
        log.Appended += sequence =>
        {
            if (sequence - Interlocked.Read(ref _lastSignedSequence) >= _options.CheckpointEveryEntries && _due.CurrentCount == 0)
            {
                try
                {
                    _due.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Already due.
                }
            }
        };
    }

    /// <summary>The newest checkpoint this process signed: a witness the database file cannot change.</summary>
    public AuditCheckpoint? Newest { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // One node signs at a time: the nodes share the chain, so one checkpoint per head is enough.
            await _leases.RunOnceInClusterAsync("audit-checkpoint", TrySignAsync, stoppingToken);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(_options.Interval, _time, wait.Token);
            await Task.WhenAny(_due.WaitAsync(wait.Token), delay);
            await wait.CancelAsync();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TrySignAsync(CancellationToken.None);
    }

    private async Task TrySignAsync(CancellationToken ct)
    {
        try
        {
            await CheckpointNowAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError(ex, "Audit checkpoint not signed: {Reason}", ex.Message);
        }
    }

    /// <summary>Signs and stores a checkpoint of the current head; refuses when the chain lost the last signed head.</summary>
    public async Task<AuditCheckpoint> CheckpointNowAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var db = await _contexts.CreateDbContextAsync(ct);
            var head = await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(ct);
            var (sequence, hash) = head is null ? (0L, HashChainedAuditLog.GenesisHash) : (head.Sequence, head.Hash);
            if (Newest is { } last)
            {
                var still = last.Sequence == 0 ? HashChainedAuditLog.GenesisHash
                    : await db.AuditEntries.AsNoTracking().Where(e => e.Sequence == last.Sequence).Select(e => e.Hash).FirstOrDefaultAsync(ct);
                if (!string.Equals(still, last.HeadHash, StringComparison.Ordinal))
                {
                    var what = still is null ? $"entries after {sequence} are missing" : $"entries up to {last.Sequence} were rewritten";
                    _status.Report(new AuditChainVerdict(_time.GetUtcNow(), false, $"checkpoint {last.Sequence} no longer matches: {what}"));
                    _log.LogCritical("Audit chain tampered with: {What}: checkpoint {Sequence} signed at {SignedAt:O} no longer matches; not signing over it", what, last.Sequence, last.AtUtc);
                    throw new InvalidOperationException($"the audit chain no longer holds checkpoint {last.Sequence} ({what}); not signed");
                }
            }

            var checkpoint = _key.Sign(sequence, hash, _time.GetUtcNow().UtcTicks);
            db.AuditCheckpoints.Add(checkpoint);
            await db.SaveChangesAsync(ct);
            Newest = checkpoint;
            Interlocked.Exchange(ref _lastSignedSequence, sequence);
            TellWitnesses(checkpoint);
            return checkpoint;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void TellWitnesses(AuditCheckpoint checkpoint)
    {
        if (_options.WitnessLog)
        {
            _witnessLog.LogInformation(
                "audit checkpoint sequence={Sequence} head={HeadHash} signed={SignedAt:O} key={KeyFingerprint} signature={Signature}",
                checkpoint.Sequence, checkpoint.HeadHash, checkpoint.AtUtc, checkpoint.KeyFingerprint, checkpoint.Signature);
        }

        if (_options.WitnessUrl is { } url)
        {
            var file = AuditCheckpointFile.From(checkpoint, _key.PublicKeyPem);
            _ = Task.Run(async () =>
            {
                try
                {
                    using var response = await Witness.PostAsJsonAsync(url, file);
                    response.EnsureSuccessStatusCode();
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    _log.LogWarning("Audit checkpoint {Sequence} not delivered to the witness {Host}: {Reason}", checkpoint.Sequence, url.Host, ex.Message);
                }
            });
        }
    }

    public override void Dispose()
    {
        _due.Dispose();
        _gate.Dispose();
        base.Dispose();
    }
}

/// <summary>What verification trusts beyond the database: the checkpoint key and checkpoints kept elsewhere.</summary>
public sealed record AuditTrust(string PublicKeyPem, IReadOnlyList<AuditCheckpoint> External, AuditCheckpointOptions Options, DateTime? Now)
{
    public ECDsa PublicKey()
    {
        var key = ECDsa.Create();
        key.ImportFromPem(PublicKeyPem);
        return key;
    }
}
