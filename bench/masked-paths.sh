#!/usr/bin/env bash
# Masking on every path (issue #14), measured side by side in one run, for bench/RESULTS.md "Masked paths":
#  1. hub CPU per masked live camera at 720p25 and 1080p25 against plain ffmpeg doing the same decode, mask and
#     encode (bench/partner-masked.sh at each size; ratio of the medians);
#  2. how many masked 720p25 cameras one hub keeps at real time: N cameras (LiveBroker.Bench serve, BENCH_CAMERAS=N),
#     each with its own upstream and masked encoder, one partner RTSP reader each; frames/s of every reader;
#  3. masked playback time to first frame and throughput, polygon and façade camera, and the full façade plan
#     (static mask + person stage) against the static mask alone (Masking.Bench playback).
# Run under `flock /tmp/bench.lock`; prints `uptime` before and after each part. PARTS (default "live capacity
# playback") picks parts, HEIGHTS (720 1080) the sizes of part 1, COUNTS (1 2 3 4 5 6) the camera counts of part 2.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
echo "## load before: $(uptime)"
parts=${PARTS:-live capacity playback}
for height in ${HEIGHTS:-720 1080}; do
  [[ " $parts " == *" live "* ]] || break
  bitrate=4M; [ "$height" = 720 ] && bitrate=2M
  clip_height=$height clip_bitrate=$bitrate RUNS=$runs bash bench/partner-masked.sh
  echo "## load after ${height}p: $(uptime)"
done

# 2. capacity at 720p25
if [[ " $parts " == *" capacity "* ]]; then
clip_height=720 clip_bitrate=2M
. bench/camera.sh
window=${WINDOW:-15}
h=720; w=1280; mask=$out/mask720.png
ffmpeg -v error -y -f lavfi -i "color=black:size=${w}x${h},format=gray" -vf "drawbox=x=0:y=0:w=$((w / 2)):h=$h:color=white:t=fill" -frames:v 1 "$mask"
start_camera 18740 18741 -n
frames() { awk -F= '/^frame=/ {f=$2} END {print f+0}' "$1"; }
echo "| masked 720p25 cameras in one hub | frames/s per reader (min / median) | CPU % of one core (hub + upstreams + encoders) | load average |"
echo "|---:|---|---:|---|"
for n in ${COUNTS:-1 2 3 4 5 6}; do
  mkfifo "$out/hub-n.in" 2>/dev/null || true
  BENCH_CAMERAS=$n BENCH_MASK_PNG="$mask" $bench serve "$camera" udp 18742 <"$out/hub-n.in" >"$out/hub-n.out" 2>&1 &
  hub=$!; pids+=("$hub"); exec 8>"$out/hub-n.in"
  for _ in $(seq 50); do grep -q ready "$out/hub-n.out" 2>/dev/null && break; sleep 0.2; done
  readers=()
  for i in $(seq "$n"); do
    id=bench; [ "$i" -gt 1 ] && id=bench$i
    for _ in $(seq 30); do timeout 20 ffprobe -v quiet -rtsp_transport tcp "rtsp://bench:bench@127.0.0.1:18742/$id" && break; sleep 1; done
    ffmpeg -nostdin -v error -progress "$out/reader$i.progress" -rtsp_transport tcp -i "rtsp://bench:bench@127.0.0.1:18742/$id" -c copy -f null - &
    readers+=("$!"); pids+=("$!")
  done
  sleep 8
  procs() { echo "$hub"; pgrep -f "CameraHub-live camera=bench" || true; pgrep -f "CameraHub-masked feed=bench" || true; }
  mapfile -t all < <(procs)
  declare -A f0=(); for i in $(seq "$n"); do f0[$i]=$(frames "$out/reader$i.progress"); done
  t0=$(ticks "${all[@]}"); sleep "$window"; t1=$(ticks "${all[@]}")
  fps=(); for i in $(seq "$n"); do fps+=("$(awk -v a="${f0[$i]}" -v b="$(frames "$out/reader$i.progress")" -v s="$window" 'BEGIN {printf "%.1f", (b - a) / s}')"); done
  load=$(awk '{print $1, $2, $3}' /proc/loadavg)
  for r in "${readers[@]}"; do kill "$r" 2>/dev/null || true; done
  exec 8>&-; wait "$hub" 2>/dev/null || true
  sorted=$(printf '%s\n' "${fps[@]}" | sort -n)
  echo "| $n | $(echo "$sorted" | head -1) / $(echo "$sorted" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}') | $(( (t1 - t0) * 100 / hz / window )) | $load |"
  sleep 2
done
cleanup; pids=()
echo "## load after capacity: $(uptime)"
fi

# 3. masked playback and the full plan
[[ " $parts " == *" playback "* ]] || exit 0
dotnet build bench/Masking.Bench -c Release -nologo -v q >/dev/null
dotnet bench/Masking.Bench/bin/Release/net10.0/CameraHub.Masking.Bench.dll playback "$runs" ultrafast
echo "## load after playback: $(uptime)"
