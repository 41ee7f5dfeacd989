using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.StreamBroker.Recording;
using CameraHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Jobs that must run once per cluster do, with three nodes alive each trying every two seconds, and are taken over
/// by a surviving node after the one that ran them is killed with SIGKILL.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ClusterAlone.Name)]
public sealed class SingletonJobTests(HubCluster cluster) : IClassFixture<HubCluster>
{
    [Fact]
    public async Task A_retention_sweep_deletes_expired_footage_once_with_three_nodes_alive_and_once_again_after_its_node_is_killed()
    {
        var id = $"TRF-S-{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        using (var admin = await cluster["A"].AsAsync("admin"))
        using (var created = await admin.PostAsJsonAsync("/api/cameras",
            SampleCameras.Traffic(id) with { Mode = CameraMode.LiveAndRecorded, RetentionDays = 1, RtspUrl = "rtsp://127.0.0.1:9/none" }, HubFactory.Json))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        var firstFiles = await SeedExpiredAsync(id, 5, days: 3);
        await SweptAsync(id, firstFiles);
        var runner = Assert.Single(cluster.Nodes, n => n.Output.Contains("Retention sweep: 5 segment(s)", StringComparison.Ordinal));
        Assert.Equal(1, await DeletionsAsync(id));

        runner.Kill();
        await runner.Process.WaitForExitAsync();
        var secondFiles = await SeedExpiredAsync(id, 4, days: 2);
        await SweptAsync(id, secondFiles);
        var successor = Assert.Single(cluster.Nodes, n => n.Output.Contains("Retention sweep: 4 segment(s)", StringComparison.Ordinal));
        Assert.NotSame(runner, successor);
        Assert.Equal(2, await DeletionsAsync(id));
    }

    private PostgresRecordingDbContext Index() => new((DbContextOptions<PostgresRecordingDbContext>)HubDatabase.PostgreSql(cluster.Database)
        .Configure(new DbContextOptionsBuilder<PostgresRecordingDbContext>(), RecordingDbContext.MigrationsTable).Options);

    /// <summary>Writes <paramref name="count"/> one-minute segments that ended <paramref name="days"/> days ago, files and index rows.</summary>
    private async Task<List<string>> SeedExpiredAsync(string camera, int count, int days)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-days);
        var files = new List<string>();
        await using var db = Index();
        for (var i = 0; i < count; i++)
        {
            var from = start.AddMinutes(i);
            var path = $"{camera}/{from:yyyy}/{from:MM}/{from:dd}/{from.UtcTicks}.mp4";
            var file = Path.Combine(cluster.DataDirectory, "recordings", path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllBytesAsync(file, new byte[1000]);
            files.Add(file);
            db.RecordingSegments.Add(new RecordingSegment
            {
                CameraId = camera, StartUtcTicks = from.UtcTicks, EndUtcTicks = from.AddMinutes(1).UtcTicks, Path = path, Bytes = 1000,
            });
        }

        await db.SaveChangesAsync();
        return files;
    }

    /// <summary>Waits until the camera has no indexed footage and its files are gone, then lets three more sweeps pass.</summary>
    private async Task SweptAsync(string camera, List<string> files)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await using var db = Index();
            if (!await db.RecordingSegments.AnyAsync(s => s.CameraId == camera) && files.All(f => !File.Exists(f)))
            {
                await Task.Delay(TimeSpan.FromSeconds(6)); // every live node tries again meanwhile: none may delete twice
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the expired footage of {camera} was not swept within 30 s");
    }

    private async Task<int> DeletionsAsync(string camera)
    {
        var alive = cluster.Nodes.First(n => !n.Process.HasExited);
        using var dpo = await alive.AsAsync("dpo");
        var page = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={camera}&action=RecordingsDeleted&pageSize=10", HubFactory.Json);
        return page.GetProperty("total").GetInt32();
    }
}
