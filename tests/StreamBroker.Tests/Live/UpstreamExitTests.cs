using CameraHub.StreamBroker.Live;

namespace CameraHub.StreamBroker.Tests.Live;

/// <summary>Why an upstream ended, from real ffmpeg stderr tails: the cause, never the leftover start-up warning.</summary>
public sealed class UpstreamExitTests
{
    // Seen on every camera drop in the demo: ffmpeg says nothing more after its probing warning when the stream ends.
    private const string ProbeWarning = "[rtsp @ 0x55c4756b6b40] Stream #0: not enough frames to estimate rate; consider increasing probesize";

    [Fact]
    public void A_stream_that_ends_after_video_with_only_the_probe_warning_is_ended_by_the_camera()
    {
        var reason = UpstreamExit.Explain(255, ProbeWarning, receivedMedia: true);
        Assert.Equal("stream ended by the camera", reason);
    }

    [Fact]
    public void Connection_refused_names_the_cause_first_and_keeps_ffmpegs_line_without_the_context_prefix()
    {
        var tail = string.Join('\n',
            "[tcp @ 0x5581b7f0a9c0] Connection to tcp://127.0.0.1:41233?timeout=10000000 failed: Connection refused",
            "rtsp://***@127.0.0.1:41233/stream: Connection refused");
        var reason = UpstreamExit.Explain(1, tail, receivedMedia: false);
        Assert.Equal("connection refused (rtsp://***@127.0.0.1:41233/stream: Connection refused)", reason);
    }

    [Fact]
    public void An_end_of_file_after_the_probe_warning_is_ended_by_the_camera()
    {
        var tail = ProbeWarning + "\n[in#0/rtsp @ 0x55d0c3c1e2c0] Error during demuxing: End of file";
        Assert.StartsWith("stream ended by the camera", UpstreamExit.Explain(0, tail, receivedMedia: true), StringComparison.Ordinal);
    }

    [Fact]
    public void A_401_keeps_the_status_code_and_says_what_it_means()
    {
        var reason = UpstreamExit.Explain(1, "[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\nrtsp://***@10.0.0.5/s: Server returned 401 Unauthorized (authorization failed)", false);
        Assert.StartsWith("401 Unauthorized: the camera refused the user name or password", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exit_without_video_or_words_says_so()
    {
        Assert.Equal("ffmpeg exited with code 1 without saying why", UpstreamExit.Explain(1, ProbeWarning, receivedMedia: false));
    }
}
