using System.Collections.Concurrent;
using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Cluster;
using CameraHub.CameraRegistry.Grants;
using CameraHub.CameraRegistry.Identity;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using CameraHub.FakeCamera;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
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

    public event Action<CameraOwnerChange>? OwnerChanged;

    /// <summary>Tells this node's listeners that a camera moved (the console test's event).</summary>
    public void Raise(CameraOwnerChange change) => OwnerChanged?.Invoke(change);
}

/// <summary>A real hub on Kestrel named <paramref name="node"/>, whose owners are the test's pins.</summary>
public sealed class PinnedHub(string node, OwnerPins pins, Dictionary<string, string> settings) : HubFactory(settings: settings, realTime: true)
{
    public string Node { get; } = node;

    public PinnedOwners Owners { get; } = new(node, pins);

    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        BaseAddress = this.StartOnKestrel();
        pins.Urls[Node] = BaseAddress.AbsoluteUri.TrimEnd('/');
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("CameraHub:Node:Name", Node);
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
    private readonly TestDatabase _database = TestDatabase.CreatePostgres();

    public OwnerPins Pins { get; } = new();

    public PinnedHub A { get; private set; } = null!;

    public PinnedHub B { get; private set; } = null!;

    public RtspTestPattern Camera { get; private set; } = null!;

    /// <summary>Settings of both nodes beyond the database (a test fixture with recordings adds a shared storage root).</summary>
    public Dictionary<string, string> Settings { get; } = [];

    public async Task InitializeAsync()
    {
        Camera = await RtspTestPattern.StartAsync(OnB, 320, 240, 10, NullLogger.Instance, CancellationToken.None);
        var settings = new Dictionary<string, string>(_database.Settings)
        {
            ["CameraHub:KeyEncryptionKey"] = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()),
        };
        foreach (var (k, v) in Settings)
        {
            settings[k] = v;
        }

        Pins.Pin(OnB, "B");
        Pins.Pin(Unheld, null);
        // A migrates the database alone; B joins it prepared.
        A = new PinnedHub("A", Pins, settings);
        A.Start();
        B = new PinnedHub("B", Pins, settings);
        B.Start();

        await A.SeedOrganisationsAsync();
        await A.CreateUserAsync("traffic", HubRoles.TrafficOperator);
        await A.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        foreach (var id in new[] { OnB, Unheld, Other })
        {
            await A.CreateCameraAsync(SampleCameras.Traffic(id) with { RtspUrl = Camera.Uri.ToString() });
        }

        await A.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, OnB, CameraRight.Live | CameraRight.Playback);
        await A.GrantAsync(GrantSubjectKind.User, "traffic", GrantScopeKind.Camera, Unheld, CameraRight.Live | CameraRight.Playback);
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Camera.DisposeAsync();
        _database.Dispose();
    }
}
