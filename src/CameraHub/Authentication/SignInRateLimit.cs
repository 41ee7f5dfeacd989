using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using Microsoft.AspNetCore.RateLimiting;

namespace CameraHub.Authentication;

/// <summary>
/// At most <c>CameraHub:SignIn:PermitsPerWindow</c> (20) sign-in attempts per remote address per
/// <c>WindowSeconds</c> (60) on the token and cookie routes, on top of Identity's per-account lock-out: guessing
/// across many accounts from one address is slowed too. A refused attempt answers 429 with Retry-After, and is
/// audited once per address and window, so a flood cannot fill the append-only log.
/// </summary>
public static class SignInRateLimit
{
    public const string Policy = "sign-in";

    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("CameraHub:SignIn:PermitsPerWindow", 20);
        var window = TimeSpan.FromSeconds(configuration.GetValue("CameraHub:SignIn:WindowSeconds", 60.0));
        services.AddSingleton(sp => new ThrottleAudit(window, sp.GetRequiredService<TimeProvider>()));
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(Policy, http => RateLimitPartition.GetFixedWindowLimiter(
                AccessGate.RemoteAddress(http) ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true }));
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var remote = AccessGate.RemoteAddress(http) ?? "unknown";
                if (http.RequestServices.GetRequiredService<ThrottleAudit>().FirstInWindow(remote))
                {
                    await http.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(new AuditEvent(
                        AuditAction.SignInThrottled, AuditOutcome.Denied, "anonymous", RemoteAddress: remote,
                        Details: $"more than {permits} sign-in attempts within {window.TotalSeconds:0} s from this address; further refusals in this window are not logged"), ct);
                }

                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many sign-in attempts",
                    detail: $"at most {permits} sign-in attempts per {window.TotalSeconds:0} seconds from one address; try again later").ExecuteAsync(http);
            };
        });
        return services;
    }

    /// <summary>Remembers when each address was last audited for throttling, so each window gets one entry.</summary>
    internal sealed class ThrottleAudit(TimeSpan window, TimeProvider time)
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> _lastAudited = new(StringComparer.Ordinal);

        public bool FirstInWindow(string address)
        {
            var now = time.GetUtcNow();
            if (_lastAudited.Count > 10_000)
            {
                foreach (var old in _lastAudited.Where(p => now - p.Value >= window))
                {
                    _lastAudited.TryRemove(old);
                }
            }

            var first = false;
            _lastAudited.AddOrUpdate(address, _ => { first = true; return now; }, (_, last) =>
            {
                first = now - last >= window;
                return first ? now : last;
            });
            return first;
        }
    }
}
