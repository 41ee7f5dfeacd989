using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Buffer;

namespace CameraHub.Masking.Calibration;

/// <summary>
/// The façade and the band outside it where people may be filmed, in ground metres (NetTopologySuite geometry).
/// </summary>
public sealed class FacadeZone
{
    private static readonly GeometryFactory Factory = new();
    private readonly IndexedPointInAreaLocator _keptLocator;
    private readonly IndexedPointInAreaLocator? _buildingLocator;

    private FacadeZone(Geometry facade, Geometry? building, Geometry kept)
    {
        Facade = facade;
        Building = building;
        Kept = kept;
        _keptLocator = new IndexedPointInAreaLocator(kept);
        _buildingLocator = building is null ? null : new IndexedPointInAreaLocator(building);
    }

    /// <summary>The façade line (or the outline's boundary).</summary>
    public Geometry Facade { get; }

    /// <summary>The building's footprint on the ground: the outline, or the half-plane on the right of an open façade line.</summary>
    public Geometry? Building { get; }

    /// <summary>Ground where pixels are kept: outside the building and within the keep distance of the façade.</summary>
    public Geometry Kept { get; }

    /// <summary>Builds the zone; the façade must have at least two distinct points (the validator checks that first).</summary>
    public static FacadeZone Create(IReadOnlyList<double[]> facadePoints, bool isOutline, double keepDistance)
    {
        var coordinates = facadePoints.Select(p => new Coordinate(p[0], p[1])).ToArray();
        if (isOutline)
        {
            var building = Factory.CreatePolygon(coordinates);
            if (!building.Shell.IsCCW)
            {
                building = (Polygon)building.Reverse();
            }

            var kept = building.Buffer(keepDistance).Difference(building);
            return new FacadeZone(building.Boundary, building, kept);
        }

        var line = Factory.CreateLineString(coordinates);
        // NetTopologySuite builds a single-sided buffer on the left of the line for a positive distance and on the
        // right for a negative one; by our convention the building is on the right, so the kept band is on the left.
        var singleSided = new BufferParameters { IsSingleSided = true, EndCapStyle = EndCapStyle.Flat };
        var keptBand = BufferOp.Buffer(line, keepDistance, singleSided);
        // The building side reaches far enough to contain anything a camera could see behind the façade.
        var buildingSide = BufferOp.Buffer(line, -10_000, singleSided);
        return new FacadeZone(line, buildingSide, keptBand);
    }

    /// <summary>True when the ground point lies in the kept band.</summary>
    public bool IsKept(double x, double y) =>
        Kept.EnvelopeInternal.Contains(x, y) && _keptLocator.Locate(new Coordinate(x, y)) != Location.Exterior;

    /// <summary>Metres from the ground point to the façade.</summary>
    public double DistanceToFacade(double x, double y) => Facade.Distance(Factory.CreatePoint(new Coordinate(x, y)));

    /// <summary>True when the ground point lies inside the building by more than <paramref name="tolerance"/> metres.</summary>
    public bool IsInsideBuilding(double x, double y, double tolerance) =>
        _buildingLocator is not null
        && _buildingLocator.Locate(new Coordinate(x, y)) == Location.Interior
        && DistanceToFacade(x, y) > tolerance;
}
