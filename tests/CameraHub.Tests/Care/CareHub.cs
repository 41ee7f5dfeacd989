using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Care;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Organisations;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.StreamBroker.Live;
using CameraHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Tests.Care;

/// <summary>
/// A hub with one care camera (aldrenamnden, unit "Nordost"), the users of the care rule's matrix and helpers named
/// after what the tests do: register a decision, list tonight's visits, start a look, open and read the stream.
/// The clock is the factory's fake one: Tuesday 24 November 2026, 13:00 in Göteborg.
/// </summary>
public sealed class CareHub(HubFactory hub, string cameraId)
{
    public const string Unit = "Nordost";

    public HubFactory Hub { get; } = hub;

    public string CameraId { get; } = cameraId;

    /// <summary>The care camera, its owner, users (care, care2 of another unit, admin, traffic, dpo, owner) and grants.</summary>
    public async Task ArrangeAsync(string rtspUrl)
    {
        await Hub.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<RegistryDbContext>();
            db.Organisations.Add(new Organisation { Id = "aldrenamnden", Name = "Äldre samt vård- och omsorgsnämnden", Kind = OrganisationKind.Board });
            return await db.SaveChangesAsync();
        });
        await Hub.CreateCameraAsync(SampleCameras.Traffic(CameraId) with
        {
            Name = "Trygghetskamera",
            OwnerId = "aldrenamnden",
            Category = CameraCategory.CareHome,
            RtspUrl = rtspUrl,
            SharingPartnerIds = [],
        });
        await Hub.CreateUserAsync("care", HubRoles.CareOperator);
        await Hub.CreateUserAsync("care2", HubRoles.CareOperator);
        await Hub.CreateUserAsync("admin", HubRoles.Administrator);
        await Hub.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await Hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await Hub.CreateUserAsync("owner", HubRoles.CameraOwner, "aldrenamnden");
        await Hub.GrantAsync(GrantSubjectKind.Role, HubRoles.CareOperator, GrantScopeKind.Category, nameof(CameraCategory.CareHome), CameraRight.Live);
        // Every video right everywhere: none of them may reach a home's picture.
        foreach (var user in new[] { "traffic", "admin", "dpo", "owner" })
        {
            await Hub.GrantAsync(GrantSubjectKind.User, user, GrantScopeKind.AllCameras, "*", CameraRight.Live | CameraRight.Playback | CameraRight.Export);
        }

        var admin = await Hub.SignInAsAsync("admin");
        (await admin.PostAsJsonAsync("/api/care/staff", new { userName = "care", careUnit = Unit })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/care/staff", new { userName = "care2", careUnit = "Hisingen" })).EnsureSuccessStatusCode();
    }

    /// <summary>Registers an active decision for the camera; returns its id.</summary>
    public async Task<Guid> DecideAsync(string schedule, int longestLookMinutes = 3)
    {
        var admin = await Hub.SignInAsAsync("admin");
        using var response = await admin.PostAsJsonAsync("/api/care/decisions", new
        {
            cameraId = CameraId, residentId = "TJ-7301", residentName = "Astrid L.", decisionReference = $"ÄVO-BB {Guid.NewGuid():N}",
            decisionDate = "2025-08-15", validFrom = "2025-09-01", consentBy = "brukaren", consentAt = "2025-08-20T10:00:00Z",
            schedule, careUnit = Unit, longestLookMinutes,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Tonight's visits as <paramref name="user"/> sees them, once the keeper has written them.</summary>
    public async Task<List<JsonElement>> VisitsAsync(string user = "care", int atLeast = 1)
    {
        var client = await Hub.SignInAsAsync(user);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var night = await client.GetFromJsonAsync<JsonElement>("/api/care/visits?date=2026-11-24", timeout.Token);
            var visits = night.GetProperty("visits").EnumerateArray().ToList();
            if (visits.Count >= atLeast)
            {
                return visits;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    public async Task<HttpResponseMessage> LookAsync(string user, Guid visitId, string? reason = null) =>
        await (await Hub.SignInAsAsync(user)).PostAsJsonAsync($"/api/care/visits/{visitId}/look", new { reason });

    public async Task<HttpResponseMessage> OpenLiveAsync(string user) =>
        await (await Hub.SignInAsAsync(user)).PostAsync($"/api/cameras/{CameraId}/live", null);

    /// <summary>Opens the session's WebSocket and waits for video.</summary>
    public async Task<WebSocket> WatchAsync(HttpResponseMessage opened)
    {
        Assert.True(opened.StatusCode == HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        var session = (await opened.Content.ReadFromJsonAsync<LiveSessionResponse>(HubFactory.Json))!;
        var socket = await Hub.Server.CreateWebSocketClient().ConnectAsync(new Uri(session.WebSocketUrl), CancellationToken.None);
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var fragments = 0; fragments < 3;)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            fragments += result.MessageType == WebSocketMessageType.Binary && result.EndOfMessage ? 1 : 0;
        }

        return socket;
    }

    /// <summary>Reads until the broker's "ended" message; returns it (throws when none comes within <paramref name="within"/>).</summary>
    public static async Task<string> EndedAsync(WebSocket socket, TimeSpan within)
    {
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(within);
        var text = new StringBuilder();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("the stream closed without an 'ended' message");
            }

            if (result.MessageType == WebSocketMessageType.Text)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                if (result.EndOfMessage && text.ToString().Contains("\"ended\"", StringComparison.Ordinal))
                {
                    return text.ToString();
                }

                text.Clear();
            }
        }
    }

    /// <summary>The state of a visit as stored (waits up to 10 s for <paramref name="expected"/>).</summary>
    public async Task<CareVisit> VisitEventuallyAsync(Guid id, VisitState expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var visit = await Hub.WithScopeAsync(async sp =>
            {
                await using var db = await sp.GetRequiredService<IDbContextFactory<CareDbContext>>().CreateDbContextAsync();
                return await db.Visits.AsNoTracking().SingleAsync(v => v.Id == id);
            });
            if (visit.State == expected || timeout.IsCancellationRequested)
            {
                return visit;
            }

            await Task.Delay(50);
        }
    }

    public async Task<int> AuditCountAsync(string action)
    {
        var dpo = await Hub.SignInAsAsync("dpo");
        var found = await dpo.GetFromJsonAsync<JsonElement>($"/api/audit?camera={CameraId}&action={action}", HubFactory.Json);
        return found.GetProperty("total").GetInt32();
    }
}
