using CameraHub.Cli;

return await HubCommandLine.InvokeAsync(args);

/// <summary>Entry point; partial so the test host can find it.</summary>
public partial class Program;
