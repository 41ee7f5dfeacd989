using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using Microsoft.AspNetCore.DataProtection;

namespace CameraHub.StreamBroker.Sessions;

/// <summary>What a stream session token says (issue #17): enough for the camera's owner node to open the session itself.</summary>
/// <remarks>
/// <c>Kind</c> is "live" or "playback"; <c>Masked</c>/<c>LiftId</c> the feed decided when it opened; <c>Until</c> the
/// policy's own limit (a care look); <c>From</c>/<c>To</c> a playback window; <c>Node</c> the node that issued it.
/// </remarks>
public sealed record SessionTicket(
    string Kind, string SessionId, string UserName, IReadOnlyList<string> Roles, string CameraId, bool Masked, Guid? LiftId,
    DateTimeOffset ExpiresAt, DateTimeOffset? Until, DateTimeOffset? From, DateTimeOffset? To, string? Node, string? RemoteAddress)
{
    /// <summary>The ticket's user as the policy asks about them (the policy re-reads the account and grants from the database).</summary>
    public ClaimsPrincipal Principal() => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, UserName), .. Roles.Select(r => new Claim(ClaimTypes.Role, r))], "CameraHubSessionTicket"));

    /// <summary>Whether <paramref name="feed"/> is the feed this ticket names (a ticket never opens another one).</summary>
    public bool Names(FeedDecision feed) => feed.IsMasked == Masked && feed.LiftId == LiftId;
}

/// <summary>
/// Session tokens every node can verify: the ticket as JSON, protected with Data Protection (authenticated encryption
/// under the key ring every node shares on PostgreSQL). Expiry is checked here against the hub's
/// <see cref="TimeProvider"/> rather than by <c>ITimeLimitedDataProtector</c>, which reads the system clock.
/// </summary>
public sealed class SessionTickets(TimeProvider time, IDataProtectionProvider? protection = null)
{
    private const string Purpose = "CameraHub.StreamBroker.SessionTicket.v1";

    // A host without Data Protection (a broker alone in tests) still gets tokens, valid in this process only.
    private readonly IDataProtector _protector = (protection ?? new EphemeralDataProtectionProvider()).CreateProtector(Purpose);

    /// <summary>The token for <paramref name="ticket"/> (base64url, fit for a URL path segment).</summary>
    public string Issue(SessionTicket ticket) => _protector.Protect(JsonSerializer.Serialize(ticket));

    /// <summary>The ticket a token carries, when it verifies, names <paramref name="sessionId"/> and <paramref name="kind"/> and has not expired; null otherwise.</summary>
    public SessionTicket? Read(string? token, string sessionId, string kind)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 8192)
        {
            return null;
        }

        SessionTicket? ticket;
        try
        {
            ticket = JsonSerializer.Deserialize<SessionTicket>(_protector.Unprotect(token));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            return null;
        }

        return ticket is not null && ticket.SessionId == sessionId && ticket.Kind == kind && time.GetUtcNow() < ticket.ExpiresAt ? ticket : null;
    }

    /// <summary>The roles of <paramref name="user"/>, for a ticket.</summary>
    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal user) => [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value)];
}
