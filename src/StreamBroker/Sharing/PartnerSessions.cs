using System.Collections.Concurrent;
using System.Security.Cryptography;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.StreamBroker.Masked;
using CameraHub.StreamBroker.Sessions;
using Microsoft.Extensions.Logging;

namespace CameraHub.StreamBroker.Sharing;

/// <summary>One partner system pulling one camera: who, what, from where, since when, how many bytes.</summary>
public sealed class PartnerSession : StreamSession, IDisposable
{
    private readonly CancellationTokenSource _cut = new();

    internal PartnerSession(PartnerLogin login, string cameraId, SharingProtocols protocol, string? remoteAddress, DateTimeOffset startedAt, bool masked)
    {
        Masked = masked;
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        Login = login;
        CameraId = cameraId;
        Protocol = protocol;
        RemoteAddress = remoteAddress;
        StartedAt = startedAt;
    }

    public string Id { get; }

    /// <summary>Whether the partner reads the camera's masked re-encode (rather than its own stream).</summary>
    public bool Masked { get; }

    public PartnerLogin Login { get; }

    public string CameraId { get; }

    public SharingProtocols Protocol { get; }

    public string? RemoteAddress { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Cancelled when the hub ends the session (agreement or credentials revoked or expired, shutdown).</summary>
    public CancellationToken Cut => _cut.Token;

    /// <summary>The audit actor of a partner system: the organisation, not a person.</summary>
    public string Actor => PartnerSessions.ActorOf(Login.PartnerId);

    /// <summary>Disposed by the transport that owns the session, after it has ended.</summary>
    public void Dispose() => _cut.Dispose();

    protected override void OnEnded()
    {
        try
        {
            _cut.Cancel();
        }
        catch (AggregateException)
        {
            // a transport's registration failed while closing; the session ends anyway
        }
    }
}

/// <summary>Open partner sessions: start and end audited once each (bytes, seconds, address); re-checked against the sharing policy.</summary>
public sealed class PartnerSessions(ISharingPolicy policy, ICameraDirectory cameras, IAuditLog audit, TimeProvider time, ILogger<PartnerSessions> logger)
{
    private readonly ConcurrentDictionary<string, PartnerSession> _open = new(StringComparer.Ordinal);

    public IReadOnlyCollection<PartnerSession> Open => [.. _open.Values];

    public static string ActorOf(string partnerId) => SharingEndpoints.PartnerSubject(partnerId);

    public async Task<PartnerSession> StartAsync(
        PartnerLogin login, string cameraId, SharingProtocols protocol, string? remoteAddress, string reason, bool masked, CancellationToken ct)
    {
        var session = new PartnerSession(login, cameraId, protocol, remoteAddress, time.GetUtcNow(), masked);
        _open[session.Id] = session;
        await audit.AppendAsync(new AuditEvent(
            AuditAction.PartnerSessionStarted, AuditOutcome.Allowed, session.Actor, cameraId, "partner sharing", remoteAddress,
            $"{protocol} user {login.UserName}: {reason}", "PartnerSession", session.Id), ct);
        return session;
    }

    /// <summary>Ends the session once (cutting its transport) and audits it with bytes and duration.</summary>
    public async Task EndAsync(PartnerSession session, string reason, bool revoked)
    {
        if (!session.TryMarkEnded())
        {
            return;
        }

        _open.TryRemove(session.Id, out _);
        var seconds = (time.GetUtcNow() - session.StartedAt).TotalSeconds;
        try
        {
            await audit.AppendAsync(new AuditEvent(
                AuditAction.PartnerSessionEnded, revoked ? AuditOutcome.Denied : AuditOutcome.Allowed, session.Actor, session.CameraId,
                "partner sharing", session.RemoteAddress,
                FormattableString.Invariant($"{session.Protocol} user {session.Login.UserName}: {reason}; bytesSent={session.BytesSent}; seconds={seconds:0}"),
                "PartnerSession", session.Id), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Could not audit the end of partner session {Session}", session.Id);
        }
    }

    /// <summary>Asks the policy again for every open session (of one partner, or all); ends the refused ones.</summary>
    public async Task RecheckAsync(string? partnerId, string why, CancellationToken ct)
    {
        // Many readers of one camera under one credential share one decision per pass.
        var decisions = new Dictionary<(Guid, string, SharingProtocols), AccessDecision>();
        foreach (var session in _open.Values)
        {
            if (partnerId is not null && session.Login.PartnerId != partnerId)
            {
                continue;
            }

            var key = (session.Login.CredentialId, session.CameraId, session.Protocol);
            if (!decisions.TryGetValue(key, out var decision))
            {
                decision = await policy.DecideAsync(session.Login, session.CameraId, session.Protocol, ct);
                decisions[key] = decision;
            }

            if (!decision.Allowed)
            {
                logger.LogInformation("Partner session {Session} of {Partner} on {Camera} ended: {Reason}", session.Id, session.Login.PartnerId, session.CameraId, decision.Reason);
                await EndAsync(session, $"{why}: {decision.Reason}", revoked: true);
            }
            else if (!session.Masked && await cameras.FindAsync(session.CameraId, ct) is { } camera && MaskedFeeds.RequiresMasking(camera))
            {
                // The registry now says partners get this camera masked: the unmasked stream stops; a new connection
                // gets the masked re-encode.
                logger.LogInformation("Partner session {Session} on {Camera} ended: the camera must now be masked for partners", session.Id, session.CameraId);
                await EndAsync(session, $"{why}: camera '{session.CameraId}' must now be masked for partners; reconnect for the masked stream", revoked: true);
            }
        }
    }

    public Task EndAllAsync(string reason) => Task.WhenAll(_open.Values.Select(s => EndAsync(s, reason, revoked: false)));
}

/// <summary>
/// Keeps partner sessions within their agreements: re-checks a partner's sessions at once when access changes
/// (agreement withdrawn, credentials rotated or revoked) and every session every two seconds (expiry, allowed hours,
/// camera changed in the registry), so an ended agreement cuts the stream within five seconds.
/// </summary>
internal sealed class PartnerSessionSupervisor(
    PartnerSessions sessions, IEnumerable<IAccessChangeFeed> feeds, TimeProvider time, ILogger<PartnerSessionSupervisor> logger)
    : SessionSupervisor(feeds, time, logger, RecheckInterval)
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(2);

    protected override string Sessions => "partner sessions";

    protected override Task RecheckAsync(AccessChanged change)
    {
        const string prefix = "partner:";
        var partner = change.UserName is { } name && name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : null;
        // A person's grant or account: partner sessions do not depend on it.
        return partner is null && change.UserName is not null ? Task.CompletedTask : sessions.RecheckAsync(partner, change.Reason, CancellationToken.None);
    }

    protected override Task SweepAsync(CancellationToken ct) => sessions.RecheckAsync(null, "periodic re-check", ct);

    protected override Task EndAllAsync(string reason) => sessions.EndAllAsync(reason);
}
