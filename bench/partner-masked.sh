#!/usr/bin/env bash
# Masked partner feed benchmark: the ~4 Mbit/s 1080p25 clip of bench/live-broker.sh published in a loop to
# rtsp-server-perl; (a) the hub (LiveBroker.Bench serve, BENCH_MASK_PNG set) serving one partner RTSP reader of the
# camera's masked re-encode: CPU of the hub + its camera upstream + its masked encoder; (b) plain ffmpeg pulling the
# same RTSP source and running the same filter graph and encoder (MaskedFeedArguments) to /dev/null.
# Frames per second are what each delivered over the window (the partner reader's -progress frames / plain ffmpeg's).
# RUNS runs each, medians. Markdown rows for bench/RESULTS.md "Masked partner feed".
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/camera.sh
window=${WINDOW:-15}
runs=${RUNS:-3}
# clip_height (before sourcing camera.sh; default 1080) picks the picture: 1280x720 or 1920x1080.
h=$clip_height; w=$((h * 16 / 9)); block=$(( w / 40 > 16 ? (w / 40) & ~1 : 16 )); cols=$(( (w + block - 1) / block )); rows=$(( (h + block - 1) / block ))
mask=$out/mask$h.png   # left half obscured
ffmpeg -v error -y -f lavfi -i "color=black:size=${w}x${h},format=gray" -vf "drawbox=x=0:y=0:w=$((w / 2)):h=$h:color=white:t=fill" -frames:v 1 "$mask"
start_camera 18730 18731 -m
frames() { awk -F= '/^frame=/ {f=$2} END {print f+0}' "$1"; }   # ffmpeg -progress: frames so far (written every 0.5 s)
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
graph="[0:v]split[base][copy];[copy]scale=$cols:$rows:flags=area,scale=$((cols * block)):$((rows * block)):flags=neighbor,crop=$w:$h:0:0[blocks];[1:v]format=gray[mask];[blocks][mask]alphamerge[veil];[base][veil]overlay=format=yuv420:eof_action=repeat,format=yuv420p[out]"
encode=(-map "[out]" -an -c:v libx264 -preset ultrafast -tune zerolatency -force_key_frames "expr:gte(t,n_forced*1)" -fps_mode passthrough)

hub_cpu=(); hub_fps=(); plain_cpu=(); plain_fps=(); parts=()
for run in $(seq "$runs"); do
  # (a) the hub's masked feed, one partner reader
  mkfifo "$out/hub-m.in" 2>/dev/null || true
  BENCH_MASK_PNG="$mask" $bench serve "$camera" udp 18732 <"$out/hub-m.in" >"$out/hub-m.out" 2>&1 &
  hub=$!; pids+=("$hub"); exec 9>"$out/hub-m.in"
  for _ in $(seq 50); do grep -q ready "$out/hub-m.out" 2>/dev/null && break; sleep 0.2; done
  # On a loaded machine the first DESCRIBE may come before the camera path is up: probe until the masked feed answers.
  for _ in $(seq 30); do timeout 20 ffprobe -v quiet -rtsp_transport tcp rtsp://bench:bench@127.0.0.1:18732/bench && break; sleep 1; done
  ffmpeg -nostdin -v error -progress "$out/reader.progress" -rtsp_transport tcp -i rtsp://bench:bench@127.0.0.1:18732/bench -c copy -f null - &
  reader=$!; pids+=("$reader")
  sleep 6
  upstream=$(pgrep -f "CameraHub-live camera=bench" | head -1 || true); encoder=$(pgrep -f "CameraHub-masked feed=bench" | head -1 || true)
  p0=$(frames "$out/reader.progress")
  t0=$(ticks "$hub" "$upstream" "$encoder"); h0=$(ticks "$hub"); u0=$(ticks "$upstream"); e0=$(ticks "$encoder"); sleep "$window"
  t1=$(ticks "$hub" "$upstream" "$encoder"); h1=$(ticks "$hub"); u1=$(ticks "$upstream"); e1=$(ticks "$encoder")
  parts+=("hub $(( (h1 - h0) * 100 / hz / window )) upstream $(( (u1 - u0) * 100 / hz / window )) encoder $(( (e1 - e0) * 100 / hz / window ))")
  p1=$(frames "$out/reader.progress")
  kill "$reader" 2>/dev/null || true; exec 9>&-; wait "$hub" 2>/dev/null || true
  hub_cpu+=("$(( (t1 - t0) * 100 / hz / window ))"); hub_fps+=("$(awk -v a="$p0" -v b="$p1" -v s="$window" 'BEGIN {printf "%.1f", (b - a) / s}')")

  # (b) plain ffmpeg: the same source, filter and encoder, to nowhere
  ffmpeg -nostdin -v error -progress "$out/plain.progress" -rtsp_transport udp -i "$camera" -i "$mask" -filter_complex "$graph" "${encode[@]}" -f mp4 -movflags empty_moov+default_base_moof+frag_every_frame -y /dev/null &
  plain=$!; pids+=("$plain")
  sleep 6
  f0=$(frames "$out/plain.progress"); t0=$(ticks "$plain"); sleep "$window"; t1=$(ticks "$plain")
  f1=$(frames "$out/plain.progress")
  kill "$plain" 2>/dev/null || true; wait "$plain" 2>/dev/null || true
  plain_cpu+=("$(( (t1 - t0) * 100 / hz / window ))"); plain_fps+=("$(awk -v a="$f0" -v b="$f1" -v s="$window" 'BEGIN {printf "%.1f", (b - a) / s}')")
  sleep 2
done
echo "| masked ${h}p25 feed, one partner reader | CPU % of one core (median of $runs) | frames/s delivered (median) |"
echo "|---|---|---|"
echo "| hub: upstream -c copy + masked encoder + RTSP fan-out | $(printf '%s\n' "${hub_cpu[@]}" | median) | $(printf '%s\n' "${hub_fps[@]}" | median) |"
echo "| plain ffmpeg: same RTSP source, filter and encoder | $(printf '%s\n' "${plain_cpu[@]}" | median) | $(printf '%s\n' "${plain_fps[@]}" | median) |"
echo "runs: hub cpu ${hub_cpu[*]} fps ${hub_fps[*]}; plain cpu ${plain_cpu[*]} fps ${plain_fps[*]}"
echo "hub's CPU by process (% of one core, per run): $(printf '%s; ' "${parts[@]}")"
hub_median=$(printf '%s\n' "${hub_cpu[@]}" | median); plain_median=$(printf '%s\n' "${plain_cpu[@]}" | median)
echo "ratio ${h}p hub/plain CPU: $(awk -v a="$hub_median" -v b="$plain_median" 'BEGIN {printf "%.2f", a / b}')"
