namespace CameraHub.StreamBroker.Live;

/// <summary>A completed keyframe interval served as one HLS segment.</summary>
public sealed record HlsSegment(long Sequence, int Generation, double Seconds, byte[] Data);

/// <summary>
/// What a camera path keeps of its upstream. Invariants: <see cref="CurrentGop"/> is empty or starts with a keyframe
/// fragment and belongs to the current <see cref="Init"/>; <see cref="Segments"/> hold only complete keyframe
/// intervals of the current init, oldest first, with increasing sequence numbers that never repeat across resets.
/// Not thread-safe: the owning path serialises access.
/// </summary>
public sealed class FragmentBuffer(int hlsSegmentCount)
{
    /// <summary>A camera that never sends a keyframe must not grow the buffer without bound.</summary>
    private const int MaxGopBytes = 32 * 1024 * 1024;

    private readonly List<Fragment> _gop = [];
    private readonly Queue<HlsSegment> _segments = new();
    private long _nextSequence;
    private int _gopBytes;
    private TaskCompletionSource _segmentAdded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InitSegment? Init { get; private set; }

    /// <summary>Counts init segments seen; a new generation means the player must start over (camera reconnected).</summary>
    public int Generation { get; private set; }

    /// <summary>The fragments since the latest keyframe, keyframe first: what a new viewer receives after the init.</summary>
    public IReadOnlyList<Fragment> CurrentGop => _gop;

    public IReadOnlyCollection<HlsSegment> Segments => _segments;

    /// <summary>Completes when the next HLS segment is complete.</summary>
    public Task SegmentAdded => _segmentAdded.Task;

    /// <summary>Starts over with a new init segment (first connection or reconnection).</summary>
    public void Reset(InitSegment init)
    {
        Init = init;
        Generation++;
        _gop.Clear();
        _gopBytes = 0;
        _segments.Clear();
    }

    /// <summary>Adds a fragment; returns false when it was dropped because no keyframe has been seen yet.</summary>
    public bool Append(Fragment fragment)
    {
        if (Init is null)
        {
            return false;
        }

        if (fragment.Keyframe)
        {
            CloseGop();
        }
        else if (_gop.Count == 0 || _gopBytes + fragment.Data.Length > MaxGopBytes)
        {
            _gop.Clear();
            _gopBytes = 0;
            return false;
        }

        _gop.Add(fragment);
        _gopBytes += fragment.Data.Length;
        return true;
    }

    private void CloseGop()
    {
        if (_gop.Count == 0 || Init is null)
        {
            return;
        }

        var data = new byte[_gopBytes];
        var offset = 0;
        ulong duration = 0;
        foreach (var f in _gop)
        {
            f.Data.CopyTo(data, offset);
            offset += f.Data.Length;
            duration += f.Duration;
        }

        _segments.Enqueue(new HlsSegment(_nextSequence++, Generation, (double)duration / Init.Timescale, data));
        while (_segments.Count > hlsSegmentCount)
        {
            _segments.Dequeue();
        }

        _gop.Clear();
        _gopBytes = 0;
        Interlocked.Exchange(ref _segmentAdded, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
