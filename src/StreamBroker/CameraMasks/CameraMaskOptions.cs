namespace CameraHub.StreamBroker.CameraMasks;

/// <summary>How the hub provisions and verifies cameras' own privacy masks (section CameraHub:CameraMasks).</summary>
public sealed class CameraMaskOptions
{
    public const string Section = "CameraHub:CameraMasks";

    /// <summary>Off: every masked camera is masked in the hub, nothing is sent to cameras.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often open camera paths are looked at (reconnects, mask changes, due verifications).</summary>
    public double CheckSeconds { get; set; } = 5;

    /// <summary>A verified camera is verified again at least this often.</summary>
    public double ReverifyMinutes { get; set; } = 60;

    /// <summary>A camera that failed, offers no masks or whose mask does not fit is asked again after this long.</summary>
    public double RetryMinutes { get; set; } = 5;

    /// <summary>The most of the profile's kept pixels the camera's (grown) masks may hide; above it the hub masks.</summary>
    public double MaxKeptLoss { get; set; } = 0.10;

    /// <summary>How long a camera is given to draw newly created masks before the snapshot is taken.</summary>
    public double ApplySeconds { get; set; } = 2;

    /// <summary>How many pictures, <see cref="ApplySeconds"/> apart, a just-provisioned camera may show unmasked before it is caught.</summary>
    public int SettleAttempts { get; set; } = 3;
}
