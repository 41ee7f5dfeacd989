namespace CameraHub.CameraRegistry.Organisations;

/// <summary>A camera owner or a party footage is shared with: a board, a municipal company, police, a partner.</summary>
public sealed class Organisation
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public OrganisationKind Kind { get; set; }
    /// <summary>Swedish organisation number (NNNNNN-NNNN), when known.</summary>
    public string? OrganisationNumber { get; set; }
    public string? Contact { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

/// <summary>What sort of body an organisation is.</summary>
public enum OrganisationKind
{
    Board = 1,
    MunicipalCompany = 2,
    Police = 3,
    Partner = 4,
    Supplier = 5,
    Other = 9,
}
