using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;

namespace CameraHub.Operations;

/// <summary>
/// The hub's log output: quiet framework categories by default (configuration still overrides them), one line per
/// event with a UTC time, and JSON lines (<c>--log-format json</c> or <c>CameraHub:LogFormat=json</c>) for log shippers.
/// </summary>
public static class HubLogging
{
    /// <summary>The formats <c>CameraHub:LogFormat</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Formats = ["simple", "json", "systemd"];

    /// <summary>
    /// Framework categories that otherwise write a line per request, ONVIF call or SQL command at Information (the demo
    /// printed ~350 HttpClient lines before it listened). Lowest-priority configuration: appsettings, environment and
    /// the command line still win.
    /// </summary>
    private static readonly Dictionary<string, string?> QuietDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        // The demo's simulated cameras: DemoCameras names them all in one line.
        ["Logging:LogLevel:FakeCamera"] = "Warning",
    };

    /// <summary>The configured format: <c>--log-format</c> on the command line, else <c>CameraHub:LogFormat</c>, else simple.</summary>
    public static string Format(IConfiguration configuration)
    {
        var format = (configuration["log-format"] ?? configuration["CameraHub:LogFormat"] ?? "simple").Trim().ToLowerInvariant();
        return Formats.Contains(format)
            ? format
            : throw new InvalidOperationException($"Unknown log format '{format}': use one of {string.Join(", ", Formats)} (--log-format or CameraHub:LogFormat).");
    }

    /// <summary>Applies the quiet defaults and the chosen console format.</summary>
    public static void AddHubLogging(this WebApplicationBuilder builder)
    {
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = QuietDefaults });
        switch (Format(builder.Configuration))
        {
            case "json":
                builder.Logging.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                    o.IncludeScopes = true;
                });
                break;
            case "systemd":
                // journald adds its own time stamp; the priority prefix (<6>) sets the journal's level.
                builder.Logging.AddSystemdConsole(o => o.IncludeScopes = true);
                break;
            default:
                builder.Logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "HH:mm:ss ";
                    o.ColorBehavior = LoggerColorBehavior.Disabled;
                });
                break;
        }
    }

    /// <summary>
    /// A line of the start-up summary: printed as is for people, or as an Information event when the output is JSON
    /// lines (so the stream stays machine-readable). <paramref name="secret"/> is shown only on a person's console.
    /// </summary>
    public static void Announce(IServiceProvider services, string line, string? secret = null)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        if (Format(configuration) == "simple")
        {
            Console.WriteLine(secret is null ? line : $"{line} {secret}");
            return;
        }

        services.GetRequiredService<ILoggerFactory>().CreateLogger("CameraHub.Startup").LogInformation("{Summary}", line);
    }
}
