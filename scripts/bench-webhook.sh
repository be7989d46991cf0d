#!/usr/bin/env bash
# Load benchmark of the webhook on this machine (loopback only): starts a release build with a
# self-signed certificate and no cluster, drives it with webhook-load at 1,000 requests/s and at
# saturation (HTTP/1.1 keep-alive, then HTTP/2), and reports peak RSS. Results: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --workspace --locked --bin neo4j-webhook --bin webhook-load
dir=$(mktemp -d)
port=${PORT:-18443}
target/release/neo4j-webhook --self-signed "$dir" --listen "127.0.0.1:$port" --no-cluster --log-format json 2>"$dir/webhook.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do [ -f "$dir/ca.crt" ] && break; sleep 0.1; done
sleep 0.5
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
load() {
  local before after
  before=$(ticks)
  target/release/webhook-load --url "https://127.0.0.1:$port" --ca "$dir/ca.crt" "$@"
  after=$(ticks)
  echo "{\"server_cpu_cores\": $(awk -v t=$((after - before)) -v hz="$hz" -v s="${SECONDS_PER_RUN:-10}" 'BEGIN {printf "%.2f", t / hz / s}')}"
}
load --rate 1000 --concurrency 32 --seconds "${SECONDS_PER_RUN:-10}"
load --concurrency 64 --seconds "${SECONDS_PER_RUN:-10}"
load --concurrency 64 --seconds "${SECONDS_PER_RUN:-10}" --http2
echo "{\"peak_rss_mib\": $(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$pid/status")}"
