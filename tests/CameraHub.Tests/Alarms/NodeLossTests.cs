using System.Text.Json;
using CameraHub.StreamBroker.Alarms;
using CameraHub.Tests.Cluster;
using static CameraHub.Tests.Alarms.AlarmApi;

namespace CameraHub.Tests.Alarms;

/// <summary>
/// Real hub processes on one PostgreSQL database: a node killed with SIGKILL is reported lost once (by one of the
/// survivors), and the alarm is cleared when the node is back and beating.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ClusterAlone.Name)]
public sealed class NodeLossTests
{
    [Fact]
    public async Task A_killed_node_raises_one_node_lost_alarm_which_clears_when_the_node_beats_again()
    {
        var cluster = new HubCluster();
        cluster.Settings["CameraHub__Alarms__NodeLostSeconds"] = "4";
        cluster.Settings["CameraHub__Alarms__CheckSeconds"] = "1";
        await cluster.InitializeAsync();
        try
        {
            var lost = cluster["C"];
            lost.Kill();
            await lost.Process.WaitForExitAsync();
            using var admin = await cluster["A"].AsAsync("admin");

            var alarm = await EventuallyAsync(async () => (await NodeLostAsync(admin, "C")).FirstOrDefault(), TimeSpan.FromSeconds(60));
            Assert.True(alarm.ValueKind == JsonValueKind.Object, "no node-lost alarm for C within 60 s");
            Assert.Equal("Major", alarm.GetProperty("severity").GetString());
            Assert.Equal(JsonValueKind.Null, alarm.GetProperty("clearedAt").ValueKind);

            // Both survivors keep looking every second: still one alarm for this loss, and none for the living.
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.Single(await NodeLostAsync(admin, "C"));
            Assert.Empty(await NodeLostAsync(admin, "A"));
            Assert.Empty(await NodeLostAsync(admin, "B"));

            var back = await cluster.StartNodeAsync("C");
            await back.ReadyAsync();
            Assert.True(await EventuallyAsync(async () => (await NodeLostAsync(admin, "C")).Single().GetProperty("clearedAt").ValueKind == JsonValueKind.String,
                TimeSpan.FromSeconds(60)), "the node-lost alarm was not cleared once C beat again");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static async Task<List<JsonElement>> NodeLostAsync(HttpClient admin, string node) =>
        [.. (await AlarmsAsync(admin)).Where(a => a.GetProperty("kind").GetString() == HubAlarmKinds.NodeLost
            && a.GetProperty("text").GetString()!.StartsWith($"Node {node} ", StringComparison.Ordinal))];
}
