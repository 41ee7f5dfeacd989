using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.StreamBroker.Retention;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Operations;

/// <summary>GET /api/operations/status (the console's status page): administrators only, with node, recording, sessions, sweep and recent problems.</summary>
public sealed class StatusTests
{
    [Fact]
    public async Task An_administrator_sees_the_node_recording_sessions_last_sweep_and_recent_warnings_and_others_are_refused()
    {
        await using var hub = new HubFactory();
        await hub.SeedOrganisationsAsync();
        await hub.CreateUserAsync("admin", HubRoles.Administrator);
        await hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await hub.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None);

        var admin = await hub.SignInAsAsync("admin");
        var status = await admin.GetFromJsonAsync<JsonElement>("/api/operations/status", HubFactory.Json);
        Assert.Equal(Environment.MachineName, Assert.Single(status.GetProperty("nodes").EnumerateArray()).GetProperty("name").GetString());
        Assert.False(status.GetProperty("recordingDegraded").GetBoolean());
        Assert.Contains("recording disabled", status.GetProperty("recordingSummary").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, status.GetProperty("sessions").GetProperty("live").GetInt32());
        Assert.Equal(0, status.GetProperty("lastSweep").GetProperty("deleted").GetInt32());
        // The hub warned at start-up that its key ring is unencrypted (no key-encryption key in tests): the page shows it.
        Assert.Contains(status.GetProperty("recentProblems").EnumerateArray(), p => p.GetProperty("category").GetString() == "CameraHub.KeyProtection");

        var traffic = await hub.SignInAsAsync("traffic");
        Assert.Equal(HttpStatusCode.Forbidden, (await traffic.GetAsync("/api/operations/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await hub.CreateClient().GetAsync("/api/operations/status")).StatusCode);
    }
}
