#!/usr/bin/env bash
# Stops the Apache Kafka node started by start.sh in DATADIR (SIGTERM, then SIGKILL after a grace period).
# Usage: stop.sh DATADIR [--kill]   (--kill stops it at once, like a crash)
set -euo pipefail
data="${1:?usage: stop.sh DATADIR [--kill]}"
pidfile="$data/kafka.pid"
[[ -f "$pidfile" ]] || exit 0
pid="$(cat "$pidfile")"
if kill -0 "$pid" 2>/dev/null; then
  if [[ "${2:-}" == "--kill" ]]; then
    kill -KILL "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
