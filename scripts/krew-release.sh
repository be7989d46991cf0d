#!/usr/bin/env bash
# Writes the krew manifest of a release to stdout: version, download URIs and the sha256 of each
# archive. The archives are built per platform (cargo build --release -p kubectl-neo4j for the
# target, then: tar -czf kubectl-neo4j_<os>_<arch>.tar.gz kubectl-neo4j kubectl_complete-neo4j)
# and put in DIR with exactly these names.
#   scripts/krew-release.sh 0.2.0 dist/ > neo4j.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:?usage: scripts/krew-release.sh VERSION DIR}"
dir="${2:?usage: scripts/krew-release.sh VERSION DIR}"
version="${version#v}"
case "$version" in
  *[!0-9.]*|'') echo "version $version: write it like 0.2.0" >&2; exit 2 ;;
esac
manifest="$(sed -e "s|v0\.1\.0|v${version}|g" krew/neo4j.yaml)"
for platform in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64; do
  archive="$dir/kubectl-neo4j_${platform}.tar.gz"
  [ -f "$archive" ] || { echo "missing $archive" >&2; exit 1; }
  sum="$(sha256sum "$archive" | cut -d' ' -f1)"
  # The zero checksum that follows this platform's URI becomes the archive's.
  manifest="$(printf '%s\n' "$manifest" | awk -v uri="kubectl-neo4j_${platform}.tar.gz" -v sum="$sum" '
    index($0, uri) { pending = 1 }
    pending && /sha256:/ { sub(/"0+"/, "\"" sum "\""); pending = 0 }
    { print }')"
done
printf '%s\n' "$manifest"
