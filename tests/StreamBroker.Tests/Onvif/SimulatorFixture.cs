using CameraHub.FakeCamera;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>One fake camera with a real RTSP stream, shared by the integration tests that only read from it.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public SimulatedCamera Camera { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Camera = await SimulatedCamera.StartAsync(new FakeCameraOptions
        {
            CameraId = "SIM-001",
            Name = "Simulatorn Hisingsbron",
            Manufacturer = "CameraHub",
            Model = "FakeCam 1",
            Firmware = "1.2.3",
            Password = "r1ktigt-hemligt",
        });

    public async Task DisposeAsync() => await Camera.DisposeAsync();
}

/// <summary>Test classes that share <see cref="SimulatorFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedSimulator : ICollectionFixture<SimulatorFixture>
{
    public const string Name = "Fake camera with RTSP";
}
