using System.Net;
using System.Security.Cryptography;
using System.Text;
using CameraHub.StreamBroker.Live;
using CameraHub.StreamBroker.Processes;
using CameraHub.StreamBroker.Recording;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CameraHub.Operations;

/// <summary>
/// Metrics and traces through OpenTelemetry: every <c>CameraHub.*</c> meter plus ASP.NET Core, HttpClient, .NET runtime
/// and process metrics, scraped at GET /metrics (Prometheus text); OTLP export of metrics and traces (ASP.NET Core,
/// HttpClient, EF Core, ffmpeg processes) when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
public static class HubTelemetry
{
    /// <summary>Every module's meter and activity source is named CameraHub.Something (docs/operations/metrics.md).</summary>
    public const string Prefix = "CameraHub.*";

    /// <summary>Configuration key of the token a Prometheus server sends (Authorization: Bearer …) to scrape /metrics.</summary>
    public const string ScrapeTokenKey = "CameraHub:Metrics:ScrapeToken";

    public static void AddHubTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("camerahub", serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Prefix)
                    // The modules' gauges read live state; resolving them here registers their callbacks at start-up.
                    .AddInstrumentation(sp => sp.GetRequiredService<LiveMetrics>())
                    .AddInstrumentation(sp => sp.GetRequiredService<RecordingMetrics>())
                    .AddInstrumentation(sp => sp.GetRequiredService<StreamBroker.Masked.MaskingMetrics>())
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        builder.Services.AddSingleton<RecentProblems>();
        builder.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<RecentProblems>());
        builder.Services.AddSingleton<NodeClock>();
        // After OpenTelemetry's own hosted service, so its listener is there to see the zeros.
        builder.Services.AddHostedService<CountersAtZero>();
        if (otlp)
        {
            // Traces only go somewhere over OTLP: without a collector no spans are recorded at all.
            telemetry.WithTracing(tracing => tracing
                .AddSource(Prefix, FfmpegProcess.ActivitySourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path != "/metrics")
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddOtlpExporter());
        }
    }

    /// <summary>
    /// GET /metrics. With a scrape token configured, only a request bearing it is answered (from any address);
    /// without one, only loopback callers (a Prometheus or an agent on the same machine). Everyone else gets 401/403.
    /// </summary>
    public static void MapHubMetrics(this WebApplication app)
    {
        var token = app.Configuration[ScrapeTokenKey];
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal), branch => branch.Use(async (http, next) =>
        {
            if (ScrapeRefusal(http, token) is { } refusal)
            {
                http.Response.StatusCode = refusal.Status;
                await http.Response.WriteAsync(refusal.Message);
                return;
            }

            await next(http);
        }));
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
    }

    private static (int Status, string Message)? ScrapeRefusal(HttpContext http, string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            var header = http.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : string.Empty;
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token))
                ? null
                : (StatusCodes.Status401Unauthorized, "metrics need the scrape token (Authorization: Bearer, CameraHub:Metrics:ScrapeToken)");
        }

        return http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            ? null
            : (StatusCodes.Status403Forbidden, "metrics are served to loopback only unless CameraHub:Metrics:ScrapeToken is set");
    }
}

/// <summary>Starts the modules' counters at zero once the metrics listener runs; fixes the node's start time.</summary>
internal sealed class CountersAtZero(NodeClock clock) : IHostedService
{
    /// <summary>The node's start, taken when the host starts rather than at the first status request.</summary>
    public DateTimeOffset StartedAt => clock.StartedAt;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LiveMetrics.StartAtZero();
        RecordingMetrics.StartAtZero();
        StreamBroker.Masked.MaskingMetrics.StartAtZero();
        StreamBroker.Onvif.OnvifMetrics.StartAtZero();
        CameraRegistry.Audit.AuditMetrics.StartAtZero();
        Masking.Evidence.EvidenceMetrics.StartAtZero();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
