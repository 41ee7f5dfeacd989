#!/usr/bin/env bash
# Recording benchmark: N cameras (default 20) of a pre-encoded 720p ~2 Mbit/s clip published in a loop to
# rtsp-server-perl and pulled over UDP, each recorded by the real recorder (one RTSP session and one ffmpeg each);
# prints a markdown row with CPU and disk write rate. Then the retention sweep over 100,000 indexed segments.
set -euo pipefail
cd "$(dirname "$0")/.."
cameras=${CAMERAS:-20}
export SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}
clip_height=720 clip_bitrate=2M bench_project=Recording
. bench/camera.sh
start_camera 18710 18711 -rec

$bench record "$cameras" "$camera" "$seconds"
[ "${SKIP_SWEEP:-0}" = 1 ] || $bench 100000
