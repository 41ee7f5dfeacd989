using System.Reflection;

namespace CameraHub.CameraRegistry.Cluster;

/// <summary>CameraHub:Node: how this node names and advertises itself to the others.</summary>
public sealed class NodeOptions
{
    /// <summary>Unique within the cluster; default the host name.</summary>
    public string? Name { get; set; }

    /// <summary>The address clients and other nodes reach this node at (e.g. behind a load balancer, its own URL).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// The cluster this node belongs to: the prefix of its Redis channels, so two clusters (staging beside production,
    /// parallel tests) can share one Redis without hearing each other.
    /// </summary>
    public string Cluster { get; set; } = "camerahub";

    /// <summary>How often the node writes its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A node whose last heartbeat is older than this is not listed as alive.</summary>
    public TimeSpan AliveWithin { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>This node's share of the cameras relative to the others (rendezvous weight, issue #17); 2 takes about twice as many as 1.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>How long a job claim (an evidence package) outlives its node's last renewal: a dead node's job waits this long.</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>This process as a cluster node: name, advertised URL, version and start time.</summary>
public sealed class NodeIdentity(string name, string? publicUrl, DateTimeOffset startedUtc)
{
    public string Name { get; } = name;

    public string? PublicUrl { get; } = publicUrl;

    /// <summary>Tells this process apart from a restarted one (or a misconfigured twin) with the same name.</summary>
    public Guid InstanceId { get; } = Guid.NewGuid();

    public DateTimeOffset StartedUtc { get; } = startedUtc;

    /// <summary>The hub's informational version (without the source-link hash suffix).</summary>
    public static string Version { get; } =
        (typeof(NodeIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>From CameraHub:Node, with the host name when no name is configured.</summary>
    public static NodeIdentity From(NodeOptions options, TimeProvider time)
    {
        var name = string.IsNullOrWhiteSpace(options.Name) ? System.Net.Dns.GetHostName() : options.Name.Trim();
        if (name.Length > 100)
        {
            throw new InvalidOperationException($"CameraHub:Node:Name '{name[..20]}…' is longer than 100 characters");
        }

        if (options.PublicUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"CameraHub:Node:PublicUrl '{url}' is not an absolute http(s) URL");
        }

        return new NodeIdentity(name, string.IsNullOrWhiteSpace(options.PublicUrl) ? null : options.PublicUrl.TrimEnd('/'), time.GetUtcNow());
    }
}
