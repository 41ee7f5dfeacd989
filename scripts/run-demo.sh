#!/usr/bin/env bash
# Starts CameraHub with the sample city (Göteborg) on SQLite under data/, its fake cameras and demo users.
# The URL is printed when the hub listens; partner systems pull shared cameras from rtsp://127.0.0.1:8554/{cameraId}
# (CAMERAHUB_RTSP_PORT changes the port). Override with ASPNETCORE_URLS or extra arguments,
# e.g. --CameraHub:Broker:WarmCategories:0=Traffic to keep the traffic cameras connected for the wall, or
# --log-format json for JSON lines. Start-up prints a short summary: the URL, the demo users and the partner.
# Metrics: curl http://127.0.0.1:5080/metrics (loopback needs no token).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
dotnet build src/CameraHub -c Release -nologo -v quiet
exec dotnet run --project src/CameraHub -c Release --no-build -- --CameraHub:Demo=true --CameraHub:DataDirectory="$PWD/data" --CameraHub:RtspPort="${CAMERAHUB_RTSP_PORT:-8554}" "$@"
