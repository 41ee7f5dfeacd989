using System.Diagnostics;
using System.Text.Json;
using CameraHub.Operations;
using Microsoft.Extensions.Configuration;

namespace CameraHub.Tests.Operations;

/// <summary>The real hub's start-up output: JSON lines with --log-format json, quiet framework categories, a clear error for a bad format.</summary>
[Trait("Category", "Integration")]
public sealed class LoggingTests
{
    [Fact]
    public async Task With_log_format_json_every_line_is_a_JSON_object_naming_where_it_listens_and_loopback_scrapes_metrics_without_a_token()
    {
        var data = Path.Combine(Path.GetTempPath(), $"camerahub-logs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "CameraHub.dll"), "--log-format", "json", "--urls", "http://127.0.0.1:0",
            $"--CameraHub:DataDirectory={data}", "--CameraHub:Demo=false"])
        {
            info.ArgumentList.Add(a);
        }

        var lines = new List<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var hub = Process.Start(info)!;
        hub.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (System.Text.RegularExpressions.Regex.Match(e.Data, @"listening on (http://127\.0\.0\.1:\d+)") is { Success: true } m)
            {
                listening.TrySetResult(m.Groups[1].Value);
            }
        };
        hub.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add(e.Data);
                }
            }
        };
        hub.BeginOutputReadLine();
        hub.BeginErrorReadLine();
        string metrics;
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            // No scrape token configured: a Prometheus on the same machine (loopback) may scrape.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            metrics = await http.GetStringAsync($"{address}/metrics");
        }
        finally
        {
            hub.Kill(entireProcessTree: true);
            await hub.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }

        string[] output;
        lock (lines)
        {
            output = [.. lines.Where(l => l.Length > 0)];
        }

        var entries = output.Select(l => JsonDocument.Parse(l).RootElement).ToList(); // throws on a line that is not JSON
        Assert.Contains(entries, e => e.GetProperty("Category").GetString() == "CameraHub.Startup"
            && e.GetProperty("Message").GetString()!.Contains("/metrics", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.GetProperty("Category").GetString()!.StartsWith("System.Net.Http", StringComparison.Ordinal)
            && e.GetProperty("LogLevel").GetString() == "Information");
        Assert.Contains("camerahub_live_upstreams", metrics, StringComparison.Ordinal);
        Assert.Contains("process_memory_usage_bytes", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_log_format_is_refused_naming_the_choices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CameraHub:LogFormat"] = "xml" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => HubLogging.Format(configuration));
        Assert.Contains("'xml'", error.Message, StringComparison.Ordinal);
        Assert.Contains("simple, json, systemd", error.Message, StringComparison.Ordinal);
    }
}
