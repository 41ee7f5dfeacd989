#!/usr/bin/env bash
# Partner RTSP benchmark: the same ~4 Mbit/s 1080p25 camera as bench/live-broker.sh (clip published in a loop to
# rtsp-server-perl, pulled by the broker over UDP); 50 partner RTSP readers (ffmpeg, TCP interleaved, -c copy) of the
# hub's RTSP server, next to 50 WebSocket viewers of the same hub and rtsp-server-perl serving 50 RTSP/UDP readers.
# Prints hub CPU per delivered Mbit/s for each. Markdown rows for bench/RESULTS.md "Partner RTSP".
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/camera.sh
readers=${READERS:-50}
start_camera 18710 18711 -p
partner_port=18720
window=$((seconds - 6))

start_hub -p "$camera" udp "$partner_port"
partner_bytes() { awk '/partnerBytes/ {b=$2} END {print b+0}' "$out/hub-p.out"; }

echo "| readers of one camera | served by | CPU % of one core | delivered Mbit/s | CPU % per delivered 100 Mbit/s |"
echo "|---|---|---|---|---|"

# 1. Partner RTSP readers of the hub.
clients=()
for i in $(seq "$readers"); do
  ffmpeg -nostdin -v error -rtsp_transport tcp -i "rtsp://bench:bench@127.0.0.1:$partner_port/bench" -c copy -f null - >/dev/null 2>&1 &
  clients+=("$!"); pids+=("$!")
done
sleep 6
t0=$(ticks "$hub_pid"); b0=$(partner_bytes)
sleep "$window"
t1=$(ticks "$hub_pid"); b1=$(partner_bytes)
for c in "${clients[@]}"; do kill "$c" 2>/dev/null || true; done
cpu=$(( (t1 - t0) * 100 / hz / window ))
mbit=$(awk -v b=$((b1 - b0)) -v s="$window" 'BEGIN {printf "%.0f", b * 8 / s / 1e6}')
per_reader=$(awk -v m="$mbit" -v n="$readers" 'BEGIN {printf "%.2f", m / n}')
echo "| $readers partner RTSP (TCP interleaved) | hub | $cpu | $mbit | $(awk -v c="$cpu" -v m="$mbit" 'BEGIN {printf "%.1f", m ? c * 100 / m : 0}') |"
sleep 12   # idle grace: the next run starts cold

# 2. WebSocket viewers of the same hub.
$bench load "$hub" "$readers" "$seconds" "$camera" udp >"$out/load-p.json" &
load=$!
sleep 6
t0=$(ticks "$hub_pid")
sleep "$window"
t1=$(ticks "$hub_pid")
wait "$load"
cpu=$(( (t1 - t0) * 100 / hz / window ))
# Steady state: every viewer receives the whole stream; use the partner readers' per-reader rate as the stream rate.
mbit=$(awk -v p="$per_reader" -v n="$readers" 'BEGIN {printf "%.0f", p * n}')
echo "| $readers WebSocket (fMP4) | hub | $cpu | $mbit | $(awk -v c="$cpu" -v m="$mbit" 'BEGIN {printf "%.1f", m ? c * 100 / m : 0}') |"
exec 9>&-

# 3. Baseline: rtsp-server-perl with plain RTSP/UDP readers.
clients=()
for i in $(seq "$readers"); do
  ffmpeg -nostdin -v error -rtsp_transport udp -i "$camera" -c copy -f null - >/dev/null 2>&1 &
  clients+=("$!"); pids+=("$!")
done
sleep 6
t0=$(ticks "$perl_pid")
sleep "$window"
t1=$(ticks "$perl_pid")
for c in "${clients[@]}"; do kill "$c" 2>/dev/null || true; done
cpu=$(( (t1 - t0) * 100 / hz / window ))
echo "| $readers RTSP (UDP) | rtsp-server-perl | $cpu | $mbit | $(awk -v c="$cpu" -v m="$mbit" 'BEGIN {printf "%.1f", m ? c * 100 / m : 0}') |"
