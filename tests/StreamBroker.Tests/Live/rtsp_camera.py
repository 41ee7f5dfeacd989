#!/usr/bin/python3
"""A fake camera for the broker's tests: GStreamer RTSP server on 127.0.0.1 serving a live H.264 test pattern.

usage: /usr/bin/python3 rtsp_camera.py PORT PATH WIDTH HEIGHT FPS [KBITS [USER PASSWORD]]
Prints "ready" once it listens. Serves RTSP over TCP and UDP; with USER and PASSWORD only to that user (RTSP Basic
authentication, as many cameras do; anyone else gets 401). Exits when stdin closes (the test process died).
"""
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

port, path, width, height, fps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
kbits = int(sys.argv[6]) if len(sys.argv) > 6 else 500
user, password = (sys.argv[7], sys.argv[8]) if len(sys.argv) > 8 else (None, None)
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f"( videotestsrc is-live=true pattern={'ball' if kbits <= 500 else 'snow'} ! video/x-raw,width={width},height={height},framerate={fps}/1 "
    f"! clockoverlay ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bitrate={kbits} "
    f"! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )"
)
factory.set_shared(True)
if user is not None:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "camera-user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_role_from_structure(
        Gst.Structure.from_string("camera-user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
    factory.set_permissions(permissions)
server.get_mount_points().add_factory("/" + path, factory)
if server.attach(None) == 0:
    print("could not listen", flush=True)
    sys.exit(1)

loop = GLib.MainLoop()


def watch_stdin():
    sys.stdin.read()
    GLib.idle_add(loop.quit)


threading.Thread(target=watch_stdin, daemon=True).start()
print("ready", flush=True)
loop.run()
