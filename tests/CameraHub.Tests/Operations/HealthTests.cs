using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.StreamBroker.Retention;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Operations;

/// <summary>/healthz tells the truth about recording: Degraded at the configured disk floor and while recording is paused.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_Degraded_below_the_configured_floor_and_names_the_pause_once_recording_pauses()
    {
        // A floor no disk reaches: the storage is below it from the start, whatever the machine has free.
        await using var hub = new HubFactory(settings: new()
        {
            ["CameraHub:Recording:Enabled"] = "true",
            ["CameraHub:Recording:MinFreeBytes"] = $"{long.MaxValue / 2}",
        });
        var client = hub.CreateClient();

        var before = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("Degraded", before.GetProperty("status").GetString());
        var storage = before.GetProperty("components").GetProperty("storage");
        Assert.Equal("Degraded", storage.GetProperty("status").GetString());
        Assert.Contains("floor", storage.GetProperty("description").GetString(), StringComparison.Ordinal);

        var report = await hub.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None);
        Assert.True(report.Paused);
        var paused = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("Degraded", paused.GetProperty("status").GetString());
        Assert.Contains("recording paused", paused.GetProperty("components").GetProperty("storage").GetProperty("description").GetString(), StringComparison.Ordinal);

        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        var dpo = await hub.SignInAsAsync("dpo");
        var audit = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?action=RecordingPaused", HubFactory.Json);
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Health_is_Healthy_when_recording_is_off_and_the_data_directory_is_writable()
    {
        await using var hub = new HubFactory();
        var health = await hub.CreateClient().GetFromJsonAsync<JsonElement>("/healthz");
        var storage = health.GetProperty("components").GetProperty("storage");
        Assert.Equal("Healthy", storage.GetProperty("status").GetString());
        Assert.Contains("recording disabled", storage.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
