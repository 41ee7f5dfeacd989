namespace CameraHub.CameraRegistry.Sites;

/// <summary>A place cameras are mounted: a school, a garage, a tunnel; with its façade in a local metric frame.</summary>
public sealed class Site
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Address { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? OwnerId { get; set; }
    /// <summary>The building outline or façade polyline, [x, y] in metres in the site's local frame.</summary>
    public List<double[]> Facade { get; set; } = [];
}
