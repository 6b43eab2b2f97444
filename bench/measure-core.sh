#!/usr/bin/env bash
# Builds Brook and runs the core Brook-beside-Kafka benchmark (bench/measure-core.ts); arguments pass through,
# e.g. bash bench/measure-core.sh --rounds 3 --records 500000. Needs java, kcat and bench/kafka/install.sh's jars.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v kcat >/dev/null || { echo "kcat is needed (Debian package kcat)" >&2; exit 1; }
bash "$root/bench/kafka/install.sh"
# tsc emits even when some other folder has type errors; the benchmark only needs dist/ to be written.
(cd "$root" && npx tsc -p . >/dev/null) || true
exec node "$root/dist/bench/measure-core.js" "$@"
