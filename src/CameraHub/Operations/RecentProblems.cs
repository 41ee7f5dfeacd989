namespace CameraHub.Operations;

/// <summary>One warning or error the hub logged, for the status page.</summary>
public sealed record LoggedProblem(DateTimeOffset At, string Level, string Category, string Message);

/// <summary>
/// Keeps the last warnings and errors the hub logged (a logger provider beside the console), so the status page can
/// show them without a log shipper. Messages are the hub's own log lines, which never carry secrets.
/// </summary>
public sealed class RecentProblems(TimeProvider time) : ILoggerProvider
{
    private const int Keep = 20;

    /// <summary>Categories whose warnings repeat the state the status page already shows (every /healthz call logs Degraded).</summary>
    private static readonly string[] Repeating = ["Microsoft.Extensions.Diagnostics.HealthChecks"];

    private readonly Queue<LoggedProblem> _problems = new();

    /// <summary>The kept problems, newest first.</summary>
    public IReadOnlyList<LoggedProblem> Latest
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems.Reverse()];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LoggedProblem problem)
    {
        lock (_problems)
        {
            _problems.Enqueue(problem);
            while (_problems.Count > Keep)
            {
                _problems.Dequeue();
            }
        }
    }

    private sealed class Logger(RecentProblems owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && !Repeating.Any(r => category.StartsWith(r, StringComparison.Ordinal));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = $"{message} ({exception.GetType().Name}: {exception.Message})";
            }

            owner.Add(new LoggedProblem(owner.Now(), logLevel.ToString(), category, message));
        }
    }

    private DateTimeOffset Now() => time.GetUtcNow();
}
