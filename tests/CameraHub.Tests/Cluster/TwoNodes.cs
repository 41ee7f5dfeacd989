using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Sharing;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraHub.Tests.Cluster;

/// <summary>
/// Which node holds which camera, as the test decides it: the cluster's answer for <see cref="PinnedOwners"/> on every
/// node. A camera not pinned is held by the node asking; one pinned to null by nobody.
/// </summary>
public sealed class OwnerPins
{
    private readonly ConcurrentDictionary<string, string?> _cameras = new(StringComparer.Ordinal);

    /// <summary>Each node's advertised public URL.</summary>
    public ConcurrentDictionary<string, string> Urls { get; } = new(StringComparer.Ordinal);

    public void Pin(string cameraId, string? node) => _cameras[cameraId] = node;

    public bool TryGet(string cameraId, out string? node) => _cameras.TryGetValue(cameraId, out node);
}

/// <summary>A test's <see cref="ICameraOwners"/>: the pins of <see cref="OwnerPins"/> seen from node <paramref name="self"/> (never in product code).</summary>
public sealed class PinnedOwners(string self, OwnerPins pins) : ICameraOwners
{
    public ValueTask<CameraOwner?> OwnerOfAsync(string cameraId, CancellationToken ct)
    {
        var node = pins.TryGet(cameraId, out var pinned) ? pinned : self;
        return ValueTask.FromResult(node is null ? null : new CameraOwner(cameraId, node, pins.Urls.GetValueOrDefault(node), 1, node == self));
    }

    public bool OwnsLocally(string cameraId) => !pins.TryGet(cameraId, out var node) || node == self;

    public ValueTask<bool> TryClaimAsync(string cameraId, CancellationToken ct) => ValueTask.FromResult(OwnsLocally(cameraId));

    public ValueTask ReleaseAsync(string cameraId, CancellationToken ct) => ValueTask.CompletedTask;

    public bool IsAssignedLocally(string cameraId) => OwnsLocally(cameraId);

    public event Action<CameraOwnerChange>? OwnerChanged;

    public event Action? MembershipChanged
    {
        add { }
        remove { }
    }

    /// <summary>Tells this node's listeners that a camera moved (the console test's event).</summary>
    public void Raise(CameraOwnerChange change) => OwnerChanged?.Invoke(change);
}

/// <summary>
/// A real hub on Kestrel named <paramref name="node"/> at <paramref name="address"/> (a loopback address of its own, so
/// that two nodes can listen for partners on one RTSP port as a cluster's machines do), whose owners are the test's pins.
/// </summary>
public sealed class PinnedHub(string node, IPAddress address, OwnerPins pins, Dictionary<string, string> settings) : HubFactory(settings: settings, realTime: true)
{
    public string Node { get; } = node;

    public PinnedOwners Owners { get; } = new(node, pins);

    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        UseKestrel(k => k.Listen(address, 0));
        StartServer();
        var port = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        BaseAddress = new Uri($"http://{address}:{port}/");
        pins.Urls[Node] = BaseAddress.AbsoluteUri.TrimEnd('/');
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("CameraHub:Node:Name", Node);
        builder.UseSetting("CameraHub:RtspAddress", address.ToString());
        builder.ConfigureTestServices(services => services.AddSingleton<ICameraOwners>(Owners));
    }
}

/// <summary>
/// Two real hubs (nodes A and B, each its own data directory, as on two machines) on one PostgreSQL database, with the
/// shared key ring; a test camera pinned to B, one held by nobody, and an operator granted live and playback on both.
/// </summary>
public sealed class TwoNodes : IAsyncLifetime
{
    public const string OnB = "TRF-N-01";
    public const string Unheld = "TRF-N-02";
    public const string Other = "TRF-N-03";
    public const string Moving = "TRF-N-04";
    public const string Recorded = "TRF-N-05";
    private readonly TestDatabase _database = TestDatabase.CreatePostgres();

    public OwnerPins Pins { get; } = new();

    public PinnedHub A { get; private set; } = null!;

    public PinnedHub B { get; private set; } = null!;

    public RtspTestPattern Camera { get; private set; } = null!;

    /// <summary>The partner RTSP port of both nodes (A on 127.0.0.1, B on 127.0.0.2).</summary>
    public int RtspPort { get; } = FreeOnBoth();

    /// <summary>Västtrafik's machine credentials, under an agreement for traffic cameras over RTSP and HLS.</summary>
    public PartnerCredentialsIssued Partner { get; private set; } = null!;

    /// <summary>The recording storage both nodes mount (as a cluster's shared file system).</summary>
    public string Recordings { get; } = Directory.CreateTempSubdirectory("camerahub-shared-recordings-").FullName;

    public async Task InitializeAsync()
    {
        Camera = await RtspTestPattern.StartAsync(OnB, 320, 240, 10, NullLogger.Instance, CancellationToken.None);
        var settings = new Dictionary<string, string>(_database.Settings)
        {
            ["CameraHub:RtspPort"] = $"{RtspPort}",
            ["CameraHub:KeyEncryptionKey"] = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()),
        };
        settings["CameraHub:Recording:StorageRoot"] = Recordings;
        Pins.Pin(OnB, "B");
        Pins.Pin(Unheld, null);
        Pins.Pin(Moving, "B");
        Pins.Pin(Recorded, "B");
        // A migrates the database alone; B joins it prepared.
        A = new PinnedHub("A", IPAddress.Loopback, Pins, settings);
        A.Start();
        B = new PinnedHub("B", IPAddress.Parse("127.0.0.2"), Pins, settings);
        B.Start();

        await A.SeedOrganisationsAsync();
        await A.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await A.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await A.CreateUserAsync("admin", HubRoles.Administrator);
        foreach (var id in new[] { OnB, Unheld, Other, Moving })
        {
            await A.CreateCameraAsync(SampleCameras.Traffic(id) with { RtspUrl = Camera.Uri.ToString() });
        }

        await A.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, OnB, CameraRight.Live | CameraRight.Playback);
        await A.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Unheld, CameraRight.Live | CameraRight.Playback);
        await A.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Moving, CameraRight.Live);
        await A.CreateCameraAsync(SampleCameras.Traffic(Recorded) with
        {
            RtspUrl = Camera.Uri.ToString(),
            Mode = CameraRegistry.Cameras.CameraMode.LiveAndRecorded,
            RetentionDays = 7,
            Costs = new CameraRegistry.Cameras.CameraCosts(),
        });
        await A.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Recorded, CameraRight.Live | CameraRight.Playback);

        using var admin = await A.KestrelClientAsync(A.BaseAddress, "admin");
        using var agreement = await admin.PostAsJsonAsync("api/sharing-agreements", new
        {
            partnerId = "vasttrafik", category = "Traffic", purpose = "Trafikinformation i kollektivtrafiken",
            legalBasisReference = "SMN 2026-0112", protocols = "Rtsp, Hls",
        });
        Assert.True(agreement.StatusCode == HttpStatusCode.Created, await agreement.Content.ReadAsStringAsync());
        using var issued = await admin.PostAsync("api/partners/vasttrafik/credentials", null);
        Partner = (await issued.Content.ReadFromJsonAsync<PartnerCredentialsIssued>(HubFactory.Json))!;
    }

    /// <summary>A port free on 127.0.0.1 and on 127.0.0.2 at the moment of asking.</summary>
    private static int FreeOnBoth()
    {
        while (true)
        {
            var port = ClusterEngines.FreePort();
            try
            {
                using var second = new TcpListener(IPAddress.Parse("127.0.0.2"), port);
                second.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken there: try another
            }
        }
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Camera.DisposeAsync();
        _database.Dispose();
        Directory.Delete(Recordings, recursive: true);
    }
}

/// <summary>The test classes on one pair of nodes (started once: two hubs and a camera take seconds).</summary>
[CollectionDefinition(Name)]
public sealed class TwoNodesShared : ICollectionFixture<TwoNodes>
{
    public const string Name = "TwoNodes";
}
