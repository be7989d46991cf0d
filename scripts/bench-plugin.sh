#!/usr/bin/env bash
# Cold start and size of the plugin as released (docs/benchmarks.md): builds the size-tuned
# release-plugin profile, then times whole process runs (fork, exec, read, validate, print).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --locked --profile release-plugin -p kubectl-neo4j --bin kubectl-neo4j
bin=target/release-plugin/kubectl-neo4j
echo "binary size: $(stat -c %s "$bin") bytes"
python3 - "$bin" <<'PY'
import statistics, subprocess, sys, time
binary = sys.argv[1]
def run(args, n=100):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]
for label, args in [
    ("validate -f tests/fixtures/seeds (30 objects)", ["validate", "-f", "tests/fixtures/seeds"]),
    ("validate -f examples/nightly-backup.yaml", ["validate", "-f", "examples/nightly-backup.yaml"]),
    ("version", ["version"]),
]:
    median, p95 = run(args)
    print(f"{label}: median {median:.1f} ms, p95 {p95:.1f} ms")
PY
