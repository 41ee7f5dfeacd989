#!/usr/bin/env bash
# Partner RTSP benchmark: the same ~4 Mbit/s 1080p25 camera as bench/live-broker.sh (clip published in a loop to
# rtsp-server-perl, pulled by the broker over UDP); 50 partner RTSP readers (ffmpeg, TCP interleaved, -c copy) of the
# hub's RTSP server, next to 50 WebSocket viewers of the same hub and rtsp-server-perl serving 50 RTSP/UDP readers.
# Prints hub CPU per delivered Mbit/s for each. Markdown rows for bench/RESULTS.md "Partner RTSP".
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
seconds=${SECONDS_PER_RUN:-20}
readers=${READERS:-50}
clip=$out/clip1080.mp4
[ -f "$clip" ] || ffmpeg -v error -f lavfi -i "testsrc2=size=1920x1080:rate=25" -t 10 -c:v libx264 -preset veryfast \
  -pix_fmt yuv420p -bf 0 -g 50 -b:v 4M -maxrate 4M -bufsize 4M -an "$clip"
dotnet build bench/LiveBroker.Bench -c Release -nologo -v q >/dev/null
bench="dotnet bench/LiveBroker.Bench/bin/Release/net10.0/CameraHub.LiveBroker.Bench.dll"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

rtsp-server-perl -c 18710 -s 18711 --client_listen_address 127.0.0.1 --source_listen_address 127.0.0.1 >"$out/perl-p.log" 2>&1 &
perl_pid=$!; pids+=("$perl_pid"); sleep 1
ffmpeg -v error -re -stream_loop -1 -i "$clip" -c copy -f rtsp rtsp://127.0.0.1:18711/cam >"$out/publish-p.log" 2>&1 &
pids+=("$!"); sleep 2
camera=rtsp://127.0.0.1:18710/cam
partner_port=18720

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
window=$((seconds - 6))

mkfifo "$out/hub-p.in" 2>/dev/null || true
$bench serve "$camera" udp "$partner_port" <"$out/hub-p.in" >"$out/hub-p.out" 2>&1 &
hub_pid=$!; pids+=("$hub_pid")
exec 9>"$out/hub-p.in"
for _ in $(seq 50); do grep -q ready "$out/hub-p.out" 2>/dev/null && break; sleep 0.2; done
hub=$(awk '/ready/ {print $2}' "$out/hub-p.out")
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
