#!/usr/bin/python3
"""One fake camera's RTSP stream: a moving H.264 test pattern with the camera name and a clock burned in.

Serves rtsp://127.0.0.1:PORT/PATH through the GStreamer RTSP server (Debian gir1.2-gst-rtsp-server-1.0), run by the
system interpreter (/usr/bin/python3 has `gi`). Prints "READY <port>" once it listens (port 0 picks a free one),
and exits when stdin closes or says "q", so a parent that dies never leaves it behind. A line "k" on stdin forces a
keyframe now (what ONVIF SetSynchronizationPoint asks of a camera); --gop sets the keyframe interval in frames.
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstRtspServer, GstVideo  # noqa: E402

REQUIRED = ["videotestsrc", "textoverlay", "clockoverlay", "videoconvert", "x264enc", "rtph264pay"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--path", default="/stream")
    parser.add_argument("--name", default="CameraHub fake camera")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--fps", type=int, default=10)
    # smpte100: full-height bars without the noise patch, so a masked picture can be compared with the source anywhere.
    parser.add_argument("--pattern", default="smpte", choices=["smpte", "smpte100"])
    # Frames from one scheduled keyframe to the next (default: one second); a long GOP shows what a forced one saves.
    parser.add_argument("--gop", type=int, default=0)
    args = parser.parse_args()

    Gst.init(None)
    # A missing element makes the server answer DESCRIBE with 503 and log nothing: fail loudly instead.
    missing = [e for e in REQUIRED if Gst.ElementFactory.find(e) is None]
    if missing:
        print(f"FAILED missing GStreamer elements: {' '.join(missing)}", flush=True)
        return 3

    name = "".join(ch for ch in args.name if ch not in "\"\\")
    launch = (
        f"( videotestsrc is-live=true pattern={args.pattern} horizontal-speed=4 "
        f"! video/x-raw,width={args.width},height={args.height},framerate={args.fps}/1 "
        f"! textoverlay text=\"{name}\" valignment=top halignment=left font-desc=\"Sans 16\" shaded-background=true "
        f"! clockoverlay valignment=bottom halignment=right time-format=\"%Y-%m-%d %H:%M:%S\" font-desc=\"Sans 16\" shaded-background=true "
        f"! videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={args.fps} bframes=0 "
        f"! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )

    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(True)
    server.get_mount_points().add_factory(args.path, factory)
    encoders = []

    def on_media_configure(_factory, media):
        # Set on the configured pipeline rather than in the launch line, so the launch line stays as it is.
        def configure(element):
            if element.get_factory() is not None and element.get_factory().get_name() == "x264enc":
                if args.gop > 0:
                    element.set_property("key-int-max", args.gop)
                    # No scene-cut keyframes: the only ones are the scheduled and the forced ones.
                    element.set_property("option-string", "scenecut=0")
                encoders.append(element)
                media.connect("unprepared", lambda _media: encoders.remove(element) if element in encoders else None)

        media.get_element().iterate_recurse().foreach(configure)

    factory.connect("media-configure", on_media_configure)

    def force_keyframe():
        # An upstream force-key-unit event on the encoder's source pad: the next frame it encodes is an IDR.
        for encoder in encoders:
            event = GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0)
            encoder.get_static_pad("src").send_event(event)

    if server.attach(None) == 0:
        print(f"FAILED could not listen on {args.address}:{args.port}", flush=True)
        return 2

    loop = GLib.MainLoop()

    def on_stdin(source, condition):
        line = sys.stdin.readline()
        if not line or line.strip() == "q" or condition & (GLib.IO_HUP | GLib.IO_ERR):
            loop.quit()
            return False
        if line.strip() == "k":
            force_keyframe()
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
