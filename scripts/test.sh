#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, the dependency-graph rule, every test.
# The e2e suite (tests/e2e) is #[ignore]d here; run it against a cluster with
#   cargo test --workspace -- --ignored e2e_
set -euo pipefail
cd "$(dirname "$0")/.."
# A fresh clone gains nothing from incremental caches; they double the size of target/.
if [[ -n "${CI:-}" ]]; then export CARGO_INCREMENTAL=0; fi

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "no aws-lc-rs in the dependency graph (two rustls crypto providers panic at runtime)"
if cargo tree --workspace --locked -i aws-lc-rs >/dev/null 2>&1; then
  echo "aws-lc-rs is in the graph:" >&2
  cargo tree --workspace --locked -i aws-lc-rs >&2
  exit 1
fi

step "boltkit (Neo4j's scripted Bolt server, for the Bolt tests)"
if ! python3 -c "import boltkit" 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check "boltkit==1.3.2"
fi
python3 -c "import boltkit.server"

step "cargo test"
# Always --workspace: testing one crate alone unifies features differently and rebuilds kube.
cargo test --workspace --locked
