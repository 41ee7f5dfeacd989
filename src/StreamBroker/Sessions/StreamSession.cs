namespace CameraHub.StreamBroker.Sessions;

/// <summary>What every open stream session shares, whoever reads it: the bytes it has delivered and an end that happens once.</summary>
public abstract class StreamSession
{
    private long _bytesSent;
    private int _ended;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public bool IsEnded => Volatile.Read(ref _ended) == 1;

    internal void AddBytes(long bytes)
    {
        Interlocked.Add(ref _bytesSent, bytes);
        SessionMetrics.Sent(this, bytes);
    }

    /// <summary>True for the one caller that ends the session (and so audits its end); false for every caller after.</summary>
    internal bool TryMarkEnded()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        OnEnded();
        return true;
    }

    /// <summary>Runs once, as the session ends (a partner session cuts its transport here).</summary>
    protected virtual void OnEnded()
    {
    }
}
