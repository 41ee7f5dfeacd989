#!/usr/bin/env bash
# Recording benchmark: N cameras (default 20) of a pre-encoded 720p ~2 Mbit/s clip published in a loop to
# rtsp-server-perl and pulled over UDP, each recorded by the real recorder (one RTSP session and one ffmpeg each);
# prints a markdown row with CPU and disk write rate. Then the retention sweep over 100,000 indexed segments.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
cameras=${CAMERAS:-20}
seconds=${SECONDS_PER_RUN:-30}
clip=$out/clip720.mp4
[ -f "$clip" ] || ffmpeg -v error -f lavfi -i "testsrc2=size=1280x720:rate=25" -t 10 -c:v libx264 -preset veryfast \
  -pix_fmt yuv420p -bf 0 -g 50 -b:v 2M -maxrate 2M -bufsize 2M -an "$clip"
dotnet build bench/Recording.Bench -c Release -nologo -v q >/dev/null
bench="dotnet bench/Recording.Bench/bin/Release/net10.0/CameraHub.Recording.Bench.dll"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

rtsp-server-perl -c 18710 -s 18711 --client_listen_address 127.0.0.1 --source_listen_address 127.0.0.1 >"$out/perl-rec.log" 2>&1 &
pids+=("$!"); sleep 1
ffmpeg -v error -re -stream_loop -1 -i "$clip" -c copy -f rtsp rtsp://127.0.0.1:18711/cam >"$out/publish-rec.log" 2>&1 &
pids+=("$!"); sleep 2

$bench record "$cameras" rtsp://127.0.0.1:18710/cam "$seconds"
[ "${SKIP_SWEEP:-0}" = 1 ] || $bench 100000
