#!/usr/bin/env bash
# Live broker benchmark: one ~4 Mbit/s 1080p25 camera (a pre-encoded clip published in a loop to rtsp-server-perl,
# pulled by the broker over UDP), 1/50/200 WebSocket viewers; hub CPU and memory, time to first frame, delay added
# by the broker; baseline: rtsp-server-perl itself serving 50 ffmpeg readers. Prints markdown rows for RESULTS.md.
# Then cold time to first frame with and without asking the camera for a keyframe (SetSynchronizationPoint).
# BENCH_WARM=1 keeps the camera's upstream warm (CameraHub:Broker:WarmCategories): the "cold" column is then the
# first viewer of a camera nobody was watching.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/camera.sh
start_camera 18700 18701 ""

# measure PID SECONDS -> "cpu% maxRssMB" over the window
measure() {
  local pid=$1 secs=$2 t0 t1 max=0 r
  t0=$(ticks "$pid")
  for _ in $(seq "$secs"); do sleep 1; r=$(rss_mb "$pid"); [ "$r" -gt "$max" ] && max=$r; done
  t1=$(ticks "$pid")
  echo "$(( (t1 - t0) * 100 / hz / secs )) $max"
}

start_hub "" "$camera" udp

echo "| viewers | hub CPU % (of one core) | upstream ffmpeg CPU % | hub RSS MB | TTFF cold median / max ms | TTFF warm ms | added delay median / p95 ms | Mbit/s per viewer | dropped fragments |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in ${VIEWERS:-1 50 200}; do
  $bench load "$hub" "$n" "$seconds" "$camera" udp >"$out/load-$n.json" &
  load=$!
  sleep 4   # let every viewer connect, then measure the steady state
  up=$(pgrep -P "$hub_pid" ffmpeg | head -1)
  up_t0=$(ticks "$up")
  read -r cpu rss < <(measure "$hub_pid" $((seconds - 6)))
  up_cpu=$(( ($(ticks "$up") - up_t0) * 100 / hz / (seconds - 6) ))
  wait "$load"
  j=$(cat "$out/load-$n.json")
  field() { echo "$j" | sed -E "s/.*\"$1\":([^,}]*).*/\1/"; }
  echo "| $n | $cpu | $up_cpu | $rss | $(field ttffMsMedian) / $(field ttffMsMax) | $(field warmTtffMs) | $(field addedDelayMsMedian) / $(field addedDelayMsP95) | $(field mbitPerViewer) | $(field droppedFragments) |"
  sleep 12  # idle grace (10 s): the next run starts cold like a first viewer would
done
exec 9>&-

# Baseline: the relay itself with 50 plain RTSP readers.
readers=()
for i in $(seq 50); do
  ffmpeg -v error -rtsp_transport udp -i "$camera" -c copy -f null -progress "$out/reader-$i.progress" - >/dev/null 2>&1 &
  readers+=("$!"); pids+=("$!")
done
sleep 4
read -r pcpu prss < <(measure "$perl_pid" $((seconds - 6)))
for r in "${readers[@]}"; do kill "$r" 2>/dev/null || true; done
echo
frames=$(for i in $(seq 50); do grep -h '^frame=' "$out/reader-$i.progress" | tail -1 | cut -d= -f2; done | sort -n | head -1)
echo "Baseline rtsp-server-perl, 50 RTSP/UDP readers: relay CPU ${pcpu} % of one core, RSS ${prss} MB (slowest reader got ${frames} frames)"

# Keyframe on request (bench/RESULTS.md "Keyframe on request"): cold first frames with and without ONVIF
# SetSynchronizationPoint, alternating in one process on a fake camera that forces a keyframe when asked
# (GOP 2 s). SYNC_RUNS=0 skips it.
if [ "${SYNC_RUNS:-20}" -gt 0 ]; then
  echo
  $bench keyframes "${SYNC_RUNS:-20}"
fi
