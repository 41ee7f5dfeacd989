using System.Threading.Channels;

namespace CameraHub.StreamBroker.Live;

/// <summary>What a viewer's transport sends: MP4 bytes, or a JSON control message (offline, online, reset, ended).</summary>
public readonly record struct ViewerMessage(ReadOnlyMemory<byte> Media, string? Control)
{
    public static ViewerMessage Of(byte[] media) => new(media, null);

    public static ViewerMessage Event(string json) => new(default, json);
}

/// <summary>
/// One reader of a camera path with its own bounded queue. The path only ever offers (never waits): when the queue
/// is full the viewer skips to the next keyframe and counts what it dropped; a viewer skipping for longer than the
/// slow-viewer timeout is disconnected. HLS sessions are readers without a queue (they read the shared buffer).
/// </summary>
public sealed class Viewer : IDisposable
{
    private readonly Channel<ViewerMessage>? _queue;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly TimeSpan _slowTimeout;
    private readonly CancellationTokenSource _ended = new();
    private bool _skipping = true;
    private bool _needsInit = true;
    private long _skippingSince;
    private long _dropped;

    public Viewer(string sessionId, int capacity, TimeProvider time, TimeSpan slowTimeout, bool queued = true)
    {
        SessionId = sessionId;
        _capacity = capacity;
        _time = time;
        _slowTimeout = slowTimeout;
        _skippingSince = time.GetTimestamp();
        if (queued)
        {
            _queue = Channel.CreateBounded<ViewerMessage>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait, // only TryWrite is used: a full queue refuses instead of waiting
            });
        }
    }

    public string SessionId { get; }

    /// <summary>Fragments this viewer did not get because it was too slow.</summary>
    public long DroppedFragments => Interlocked.Read(ref _dropped);

    /// <summary>Why the viewer was ended by the broker (too slow, revoked, shut down); null while it runs.</summary>
    public string? EndReason { get; private set; }

    /// <summary>Whether the viewer was ended because its access was revoked (the player then stops for good).</summary>
    public bool EndedByRevocation { get; private set; }

    /// <summary>Cancelled when the broker ends this viewer; transports abort their connection on it.</summary>
    public CancellationToken Ended => _ended.Token;

    public ChannelReader<ViewerMessage> Reader => _queue?.Reader ?? throw new InvalidOperationException("an HLS reader has no queue");

    /// <summary>Called by the path (serialised) when the viewer joins: init plus the fragments since the latest keyframe.</summary>
    internal void Start(InitSegment? init, IReadOnlyList<Fragment> gop)
    {
        if (init is null)
        {
            return;
        }

        foreach (var fragment in gop)
        {
            Offer(init, fragment);
        }
    }

    /// <summary>Called by the path (serialised) for every fragment; never blocks.</summary>
    internal void Offer(InitSegment init, Fragment fragment)
    {
        if (_queue is null || EndReason is not null)
        {
            return;
        }

        if (!_skipping && _queue.Writer.TryWrite(ViewerMessage.Of(fragment.Data)))
        {
            return;
        }

        if (!_skipping)
        {
            _skipping = true;
            _skippingSince = _time.GetTimestamp();
        }

        // Resume only at a keyframe, and only with room for it (plus the reset and init a restarted stream needs).
        var needed = _needsInit ? 3 : 1;
        if (fragment.Keyframe && _queue.Reader.Count + needed <= _capacity)
        {
            if (_needsInit)
            {
                _queue.Writer.TryWrite(ViewerMessage.Event($$"""{"type":"reset","codec":"{{init.Codec}}"}"""));
                _queue.Writer.TryWrite(ViewerMessage.Of(init.Data));
                _needsInit = false;
            }

            _queue.Writer.TryWrite(ViewerMessage.Of(fragment.Data));
            _skipping = false;
            return;
        }

        Interlocked.Increment(ref _dropped);
        if (_time.GetElapsedTime(_skippingSince) > _slowTimeout && _queue.Reader.Count > 0)
        {
            End("viewer too slow: it could not keep up with the camera");
        }
    }

    /// <summary>The camera reconnected with a new init segment: the next keyframe goes out with a reset and the init.</summary>
    internal void Restart()
    {
        _needsInit = true;
        if (!_skipping)
        {
            _skipping = true;
            _skippingSince = _time.GetTimestamp();
        }
    }

    /// <summary>Sends a control event if there is room (events are also published over SignalR).</summary>
    internal void Notify(string json) => _queue?.Writer.TryWrite(ViewerMessage.Event(json));

    /// <summary>Ends the viewer: its queue completes and its transport is aborted.</summary>
    public void End(string reason, bool revoked = false)
    {
        if (EndReason is not null)
        {
            return;
        }

        EndReason = reason;
        EndedByRevocation = revoked;
        _queue?.Writer.TryComplete();
        try
        {
            _ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the transport already finished
        }
    }

    public void Dispose() => _ended.Dispose();
}
