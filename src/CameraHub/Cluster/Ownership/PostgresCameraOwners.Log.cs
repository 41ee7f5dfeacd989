namespace CameraHub.Cluster.Ownership;

/// <summary>The ownership log lines.</summary>
public sealed partial class PostgresCameraOwners
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: claimed by this node (epoch {Epoch})")]
    private static partial void LogClaimed(ILogger logger, string camera, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: released by this node")]
    private static partial void LogReleased(ILogger logger, string camera);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: handed over to {Node}")]
    private static partial void LogHandover(ILogger logger, string camera, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: claimed by another node meanwhile (newer epoch); stopping it here")]
    private static partial void LogFenced(ILogger logger, string camera);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera owners: members now {Members}")]
    private static partial void LogMembers(ILogger logger, string members);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: claim or release failed")]
    private static partial void LogClaimFailed(ILogger logger, Exception e, string camera);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera owners: probe failed")]
    private static partial void LogProbeFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera owners: lost all {Count} cameras ({Reason}); their upstreams and recorders were stopped")]
    private static partial void LogLostAll(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera owners: a handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception e);
}
