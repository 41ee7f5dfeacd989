# Sourced by the benchmarks that need a camera (live-broker.sh, partner-rtsp.sh, partner-masked.sh, recording.sh):
# the camera (a pre-encoded clip, by default ~4 Mbit/s 1080p25, published in a loop to rtsp-server-perl on
# 127.0.0.1), the benchmark host, process cleanup, and
# CPU accounting from /proc. Usage: start_camera CLIENT_PORT SOURCE_PORT TAG  (sets $camera and $perl_pid);
# start_hub TAG ARGS…  (sets $hub_pid and $hub).
# A script may set, before sourcing: clip_height (default 1080; the width follows at 16:9), clip_bitrate (4M) and
# bench_project (LiveBroker, the harness in bench/<name>.Bench).
out=bench/out; mkdir -p "$out"
seconds=${SECONDS_PER_RUN:-20}
clip_height=${clip_height:-1080}
clip_bitrate=${clip_bitrate:-4M}
bench_project=${bench_project:-LiveBroker}
clip=$out/clip${clip_height}.mp4
[ -f "$clip" ] || ffmpeg -v error -f lavfi -i "testsrc2=size=$((clip_height * 16 / 9))x${clip_height}:rate=25" -t 10 -c:v libx264 -preset veryfast \
  -pix_fmt yuv420p -bf 0 -g 50 -b:v "$clip_bitrate" -maxrate "$clip_bitrate" -bufsize "$clip_bitrate" -an "$clip"
dotnet build "bench/$bench_project.Bench" -c Release -nologo -v q >/dev/null
bench="dotnet bench/$bench_project.Bench/bin/Release/net10.0/CameraHub.$bench_project.Bench.dll"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# utime+stime in clock ticks, summed over the PIDs given (a process that is gone counts 0)
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

start_camera() {
  local client=$1 source=$2 tag=$3
  rtsp-server-perl -c "$client" -s "$source" --client_listen_address 127.0.0.1 --source_listen_address 127.0.0.1 >"$out/perl$tag.log" 2>&1 &
  perl_pid=$!; pids+=("$perl_pid")
  # On a loaded machine the server may take seconds to listen: wait for both ports (at most 30 s).
  for _ in $(seq 150); do (exec 3<>"/dev/tcp/127.0.0.1/$source") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$client") 2>/dev/null && break; sleep 0.2; done
  ffmpeg -v error -re -stream_loop -1 -i "$clip" -c copy -f rtsp "rtsp://127.0.0.1:$source/cam" >"$out/publish$tag.log" 2>&1 &
  pids+=("$!"); sleep 3
  camera=rtsp://127.0.0.1:$client/cam
}

# The hub reads its commands from a fifo kept open on fd 9, and prints "ready URL" once it listens.
start_hub() {
  local tag=$1; shift
  mkfifo "$out/hub$tag.in" 2>/dev/null || true
  $bench serve "$@" <"$out/hub$tag.in" >"$out/hub$tag.out" 2>&1 &
  hub_pid=$!; pids+=("$hub_pid")
  exec 9>"$out/hub$tag.in"
  for _ in $(seq 50); do grep -q ready "$out/hub$tag.out" 2>/dev/null && break; sleep 0.2; done
  hub=$(awk '/ready/ {print $2}' "$out/hub$tag.out")
}
