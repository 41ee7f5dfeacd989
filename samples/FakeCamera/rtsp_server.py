#!/usr/bin/python3
"""One fake camera's RTSP stream: a moving H.264 test pattern with the camera name and a clock burned in.

Serves rtsp://127.0.0.1:PORT/PATH through the GStreamer RTSP server (Debian gir1.2-gst-rtsp-server-1.0), run by the
system interpreter (/usr/bin/python3 has `gi`). Prints "READY <port>" once it listens (port 0 picks a free one),
and exits when stdin closes or says "q", so a parent that dies never leaves it behind. A line "k" on stdin forces a
keyframe now (what ONVIF SetSynchronizationPoint asks of a camera); --gop sets the keyframe interval in frames.
"""
import argparse
import json
import os
import signal
import struct
import sys
import tempfile
import zlib

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstRtspServer, GstVideo  # noqa: E402

REQUIRED = ["videotestsrc", "textoverlay", "clockoverlay", "videoconvert", "x264enc", "rtph264pay", "gdkpixbufoverlay"]


class PrivacyMasks:
    """The camera's Media2 privacy masks, drawn in the pipeline as one RGBA picture (gdkpixbufoverlay).

    The C# side sends `masks <json>` on stdin: a list of {"points": [[x, y], ...], "rgb": [r, g, b]} with points in
    ONVIF's normalised coordinates (-1..1, y up). They are rasterised here once per change (scanline fill, pure
    Python: no cairo or numpy on this machine) and written as a PNG the overlay element reloads; the video itself
    is never touched in Python, so applying masks costs one alpha blend per frame inside GStreamer.
    """

    def __init__(self, width, height):
        self.width, self.height = width, height
        self.directory = tempfile.mkdtemp(prefix="fakecam-masks-")
        self.generation = 0
        self.elements = []
        self.location = self.write([])

    def write(self, masks):
        rows = [bytearray(self.width * 4) for _ in range(self.height)]
        for mask in masks:
            pixels = [((x + 1) * self.width / 2, (1 - y) * self.height / 2) for x, y in mask["points"]]
            r, g, b = mask.get("rgb", [128, 128, 128])
            fill(rows, pixels, self.width, self.height, bytes([r, g, b, 255]))
        raw = b"".join(b"\x00" + bytes(row) for row in rows)

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 6, 0, 0, 0)) \
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")
        self.generation += 1
        # A new file per change: the element reloads when its location changes.
        path = os.path.join(self.directory, f"masks-{self.generation}.png")
        with open(path, "wb") as f:
            f.write(png)
        return path

    def apply(self, masks):
        self.location = self.write(masks)
        for element in self.elements:
            element.set_property("location", self.location)

    def attach(self, element):
        element.set_property("location", self.location)
        self.elements.append(element)


def fill(rows, polygon, width, height, rgba):
    """Even-odd scanline fill of one polygon (pixel coordinates), at pixel centres."""
    n = len(polygon)
    for y in range(height):
        cy = y + 0.5
        xs = []
        for i in range(n):
            (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
            if (y1 <= cy < y2) or (y2 <= cy < y1):
                xs.append(x1 + (cy - y1) * (x2 - x1) / (y2 - y1))
        xs.sort()
        row = rows[y]
        for a, b in zip(xs[0::2], xs[1::2]):
            start = max(0, int(a + 0.5))
            end = min(width, int(b + 0.5))
            if end > start:
                row[start * 4:end * 4] = rgba * (end - start)


def handle_mask_command(line, masks):
    """`masks <json>` replaces the drawn masks; returns whether the line was this command."""
    if not line.startswith("masks "):
        return False
    try:
        masks.apply(json.loads(line[6:]))
        print("MASKS applied", flush=True)
    except (ValueError, KeyError, TypeError) as e:
        print(f"MASKS failed {e}", flush=True)
    return True


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
    # Media2 privacy masks drawn in the picture (the fake camera's mask service sends them on stdin); off, the pipeline is as before.
    parser.add_argument("--privacy-masks", action="store_true")
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
        f"! videoconvert {'! gdkpixbufoverlay name=privacymasks ! videoconvert ' if args.privacy_masks else ''}! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={args.fps} bframes=0 "
        f"! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )

    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(True)
    masks = PrivacyMasks(args.width, args.height) if args.privacy_masks else None
    if masks is not None:
        factory.connect("media-configure", lambda _f, media: masks.attach(media.get_element().get_by_name("privacymasks")))
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

    pending = [b""]

    def on_stdin(source, condition):
        # Read the descriptor, not sys.stdin.readline(): two commands arriving together ("k" and "masks …") would
        # leave the second in Python's buffer, where the watch (which looks at the descriptor) never sees it.
        chunk = os.read(sys.stdin.fileno(), 1 << 20) if condition & GLib.IO_IN else b""
        if not chunk:
            loop.quit()
            return False
        *lines, pending[0] = (pending[0] + chunk).split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            if line == "q":
                loop.quit()
                return False
            if masks is not None and handle_mask_command(line, masks):
                continue
            if line == "k":
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
