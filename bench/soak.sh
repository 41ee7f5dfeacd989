#!/usr/bin/env bash
# Churn soak (issue #20): the real hub in demo mode (sample city on SQLite in a scratch directory, its fake cameras,
# the recorder recording the demo's recorded cameras), 50 viewers joining and leaving one live camera for 10 minutes;
# the hub's RSS, threads, descriptors and ffmpeg children sampled every 10 s. Prints the CSV and a markdown table for
# bench/RESULTS.md. SOAK_VIEWERS, SOAK_SECONDS and SOAK_CAMERA (default TRF-001, watched as the demo user traffic)
# change the run. Run it under `flock /tmp/bench.lock` when nothing else is building.
set -euo pipefail
cd "$(dirname "$0")/.."
viewers=${SOAK_VIEWERS:-50}
seconds=${SOAK_SECONDS:-600}
camera=${SOAK_CAMERA:-TRF-001}
port=${SOAK_PORT:-18950}
out=bench/out/soak; rm -rf "$out"; mkdir -p "$out"
dotnet build src/CameraHub -c Release -nologo -v q >/dev/null
dotnet build bench/Soak.Bench -c Release -nologo -v q >/dev/null
password="Soak-$(openssl rand -hex 6)-x9"

dotnet src/CameraHub/bin/Release/net10.0/CameraHub.dll --CameraHub:Demo=true --CameraHub:DemoPassword="$password" \
  --CameraHub:DataDirectory="$PWD/$out/data" --CameraHub:RtspPort=0 --urls "http://127.0.0.1:$port" >"$out/hub.log" 2>&1 &
hub_pid=$!
trap 'kill $hub_pid 2>/dev/null || true; wait $hub_pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
sleep 10 # the demo cameras connect and the recorder starts
recorded() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^camerahub_recording_bytes_written[_a-z]*(\{| )/ {s += $NF} END {printf "%.0f", s}'; }
before=$(recorded)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet bench/Soak.Bench/bin/Release/net10.0/CameraHub.Soak.Bench.dll churn "http://127.0.0.1:$port" traffic "$password" "$camera" "$viewers" "$seconds" "$hub_pid"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "recorder wrote $(( ($(recorded) - before) / 1000000 )) MB during the run"
