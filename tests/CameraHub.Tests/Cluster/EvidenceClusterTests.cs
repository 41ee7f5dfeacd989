using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.Masking.Evidence;
using CameraHub.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Evidence packages on three real nodes: each approved request is claimed by exactly one node (a row taken FOR
/// UPDATE SKIP LOCKED, renewed while it produces) and produced once; a request whose producing node is killed with
/// SIGKILL mid-production is taken over by another node once the claim lapses, and produced once, intact.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ClusterAlone.Name)]
public sealed class EvidenceClusterTests(EvidenceCluster cluster) : IClassFixture<EvidenceCluster>
{
    [Fact]
    public async Task An_evidence_job_is_produced_once_with_three_nodes_and_once_again_by_another_node_after_its_producer_is_killed()
    {
        var id = $"GAR-E-{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        await using var camera = await RtspTestPattern.StartAsync(id, 640, 360, 10, NullLogger.Instance, CancellationToken.None);
        using (var admin = await cluster["A"].AsAsync("admin"))
        using (var created = await admin.PostAsJsonAsync("/api/cameras", SampleCameras.PermitGarage(id) with
        {
            RtspUrl = camera.Uri.ToString(),
            Masking = new MaskingProfile { Kind = MaskingKind.None },
        }, HubFactory.Json))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        // Footage: the node holding the recording lease records it in 2-second segments on the shared storage.
        var first = await FirstSegmentAsync(id, segments: 8);
        var police = await cluster["A"].AsAsync("police");
        var housing = await cluster["B"].AsAsync("housing");

        var once = await RequestAsync(police, housing, id, first, first.AddSeconds(4), "5000-K100001-26");
        await ReadyAsync(police, once);
        await Task.Delay(TimeSpan.FromSeconds(3)); // every node polls twice more meanwhile: none may produce it again
        Assert.Single(cluster.Nodes, n => n.Output.Contains($"claimed evidence job {once}", StringComparison.Ordinal));
        Assert.Equal(1, await ProducedAsync(once));

        // A longer window takes seconds to produce: its producer is killed as soon as its claim names it.
        var again = await RequestAsync(police, housing, id, first, first.AddSeconds(14), "5000-K100002-26");
        var producer = await ClaimantAsync(again);
        producer.Kill();
        await producer.Process.WaitForExitAsync();
        var alive = cluster.Nodes.First(n => !n.Process.HasExited);
        using var policeAlive = await alive.AsAsync("police");
        var before = await policeAlive.GetFromJsonAsync<JsonElement>($"/api/evidence/{again}", HubFactory.Json);
        Assert.NotEqual("Ready", before.GetProperty("status").GetString());

        await ReadyAsync(policeAlive, again);
        var successor = Assert.Single(cluster.Nodes, n => n != producer && n.Output.Contains($"claimed evidence job {again}", StringComparison.Ordinal));
        Assert.False(successor.Process.HasExited);
        Assert.Equal(1, await ProducedAsync(again));
        var zip = Path.Combine(cluster.DataDirectory, $"check-{again}.zip");
        await File.WriteAllBytesAsync(zip, await policeAlive.GetByteArrayAsync($"/api/evidence/{again}/package"));
        var key = await policeAlive.GetFromJsonAsync<JsonElement>("/api/evidence/signing-key");
        Assert.True(EvidenceVerifier.Verify(zip, key.GetProperty("fingerprint").GetString()!).Intact);
    }

    /// <summary>The start of the camera's recorded footage once <paramref name="segments"/> segments are indexed.</summary>
    private async Task<DateTime> FirstSegmentAsync(string camera, int segments)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            await using var connection = new NpgsqlConnection(cluster.Database);
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand("""SELECT count(*), min("StartUtcTicks") FROM "RecordingSegments" WHERE "CameraId" = @c""", connection);
            query.Parameters.AddWithValue("c", camera);
            await using var reader = await query.ExecuteReaderAsync();
            await reader.ReadAsync();
            if (reader.GetInt64(0) >= segments)
            {
                return new DateTime(reader.GetInt64(1), DateTimeKind.Utc).AddSeconds(1);
            }

            await Task.Delay(500);
        }

        Assert.Fail($"{camera} did not record {segments} segments within 120 s:\n{string.Join("\n---\n", cluster.Nodes.Select(n => n.Output[^Math.Min(3000, n.Output.Length)..]))}");
        return default;
    }

    private static async Task<Guid> RequestAsync(HttpClient police, HttpClient owner, string camera, DateTime from, DateTime to, string caseNumber)
    {
        using var created = await police.PostAsJsonAsync("/api/evidence", new { caseNumber, cameraIds = new[] { camera }, from, to, reason = "Inbrott i garage" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var approved = await owner.PostAsync($"/api/evidence/{id}/approve", null);
        Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync());
        return id;
    }

    private static async Task ReadyAsync(HttpClient police, Guid id)
    {
        var clock = Stopwatch.StartNew();
        var state = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            var status = await police.GetFromJsonAsync<JsonElement>($"/api/evidence/{id}", HubFactory.Json);
            state = status.GetProperty("status").GetString()!;
            Assert.True(state != "Failed", status.ToString());
            if (state == "Ready")
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"evidence request {id} was still {state} after 120 s");
    }

    /// <summary>The node whose claim names the request, as soon as one does.</summary>
    private async Task<HubNode> ClaimantAsync(Guid id)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(cluster.Database);
        await connection.OpenAsync();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await using var query = new NpgsqlCommand("""SELECT "Node" FROM "JobClaims" WHERE "Kind" = 'evidence' AND "Key" = @k AND "ExpiresAtUtc" > now()""", connection);
            query.Parameters.AddWithValue("k", id.ToString());
            if (await query.ExecuteScalarAsync() is string node)
            {
                return cluster[node];
            }

            await Task.Delay(10);
        }

        Assert.Fail($"no node claimed evidence request {id} within 30 s");
        return null!;
    }

    /// <summary>How many EvidenceProduced entries the audit log holds for the request.</summary>
    private async Task<int> ProducedAsync(Guid id)
    {
        var alive = cluster.Nodes.First(n => !n.Process.HasExited);
        using var dpo = await alive.AsAsync("dpo");
        var page = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?action=EvidenceProduced&pageSize=100", HubFactory.Json);
        return page.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("subjectId").GetString() == id.ToString());
    }
}

/// <summary>Three nodes that record (2-second segments) and poll for evidence every half second; claims lapse after 6 s.</summary>
public sealed class EvidenceCluster() : HubCluster(new Dictionary<string, string>
{
    ["CameraHub__Recording__Enabled"] = "true",
    ["CameraHub__Recording__SegmentLength"] = "00:00:02",
    ["CameraHub__Recording__ScheduleInterval"] = "00:00:01",
    ["CameraHub__Evidence__PollInterval"] = "00:00:00.500",
    ["CameraHub__Node__ClaimTimeout"] = "00:00:06",
});
