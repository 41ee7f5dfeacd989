#!/usr/bin/env bash
# Installs what CameraHub needs beyond the .NET SDK: Debian packages (ffmpeg, GStreamer RTSP server,
# OpenCV's runtime dependencies and sample footage, Chromium) and the repository's .NET tools.
# Safe to run repeatedly: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  ffmpeg                                  # recording, fMP4/HLS, masking I/O, ffprobe as judge
  libgtk-3-0                              # OpenCvSharp's native library links against it
  opencv-doc opencv-data                  # real street footage (vtest.avi) and detector models
  gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-ugly gstreamer1.0-x gstreamer1.0-tools  # the fake cameras' RTSP server
  python3-gi                              # GStreamer RTSP server from the system Python
  gstreamer1.0-plugins-bad                # h264parse: rtspsrc as a partner's RTSP client in tests
  rtsp-server-perl                        # an independent RTSP relay (UDP) for tests and baselines
  chromium fonts-liberation               # the web console's browser tests
  postgresql redis-server                 # the engines beyond one machine (PostgreSQL state, Redis backplane)
  sqlite3                                 # inspecting and tampering with the database in tests
  procps iproute2                         # process and network-namespace checks in tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js for the independent ONVIF client (npm 'onvif') the StreamBroker tests point at the fake camera.
# Only when missing: a NodeSource nodejs already ships npm and conflicts with Debian's npm package.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -d tests/onvif-peer/node_modules/onvif ]; then
  (cd tests/onvif-peer && npm ci --no-audit --no-fund --loglevel=error)
fi

# The console's browser libraries (SignalR client, Chart.js); the build copies them into the hub's wwwroot/lib.
if [ ! -f src/CameraHub/ClientLibraries/node_modules/.package-lock.json ] \
   || [ src/CameraHub/ClientLibraries/package-lock.json -nt src/CameraHub/ClientLibraries/node_modules/.package-lock.json ]; then
  (cd src/CameraHub/ClientLibraries && npm ci --no-audit --no-fund --loglevel=error)
fi

dotnet tool restore >/dev/null
