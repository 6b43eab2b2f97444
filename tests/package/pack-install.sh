#!/usr/bin/env bash
# Packaging as a user meets it (#11): `npm pack` the built tree, install the tarball into an empty project,
# `npx brook start` a broker from it, run the seed's producer (examples/producer.ts, importing 'brook') and
# read its record back with `npx brook consume`. Nothing from this checkout is on the module path. Run after `npm run build`.
# Dependencies come from the npm cache that `npm ci` filled (--prefer-offline), else from the registry.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
broker_pid=""
cleanup() {
  # npx runs the broker as its child: stop the whole process group, or the broker outlives the script
  if [ -n "$broker_pid" ]; then kill -- "-$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "pack-install: $*" >&2; [ -f "$work/broker.log" ] && tail -20 "$work/broker.log" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
npm_quiet=(--prefer-offline --no-audit --no-fund --loglevel=error)

[ -f "$root/dist/brook.mjs" ] || fail "dist/brook.mjs missing: run npm run build first"
tarball="$(cd "$root" && npm pack --silent --pack-destination "$work")"
tarball="$work/$tarball"
listing="$(tar tzf "$tarball")"
echo "== packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB, $(wc -l <<<"$listing") files)"
grep -qx 'package/dist/brook.mjs' <<<"$listing" || fail "the tarball has no dist/brook.mjs"
stray="$(grep -E '\.test\.js$|^package/(src|tests|bench)/' <<<"$listing" || true)"
[ -z "$stray" ] || fail "the tarball carries tests or sources: $(head -3 <<<"$stray")"

echo "== an empty project: npm install the tarball (no dev dependencies, no build step)"
app="$work/app"
mkdir -p "$app"
echo '{ "name": "app", "private": true, "type": "module" }' >"$app/package.json"
(cd "$app" && npm install "${npm_quiet[@]}" "$tarball") || fail "install failed"
installed="$app/node_modules"
for dev in typescript esbuild @biomejs/biome kafkajs; do
  [ ! -e "$installed/$dev" ] || fail "dev dependency $dev was installed"
done
(cd "$app" && npx --no-install brook --version) | grep -qx "$(node -p "require('$root/package.json').version")" ||
  fail "npx brook --version"

port="$(free_port)"
console_port="$(free_port)"
(cd "$app" && exec setsid npx --no-install brook start --memory --port "$port" --console-port "$console_port" >"$work/broker.log" 2>&1) &
broker_pid=$!
for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$console_port/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$broker_pid" 2>/dev/null || fail "npx brook start exited"
  sleep 0.1
done
curl -sf "http://127.0.0.1:$console_port/readyz" >/dev/null || fail "npx brook start did not become ready"
echo "== npx brook start is serving on $port; the seed's producer imports 'brook'; npx brook consume reads it"
sed "s#'\.\./src/index\.js'#'brook'#" "$root/dist/examples/producer.js" >"$app/producer.js"
grep -q "from 'brook'" "$app/producer.js" || fail "could not point the seed's producer at 'brook'"
(cd "$app" && BOOTSTRAP="127.0.0.1:$port" node producer.js) | grep -q 'sent to my_topic-0 at offset 0' || fail "the producer"
got="$(cd "$app" && npx --no-install brook consume my_topic --from-beginning --count 1 -b "127.0.0.1:$port" --timeout 5000)"
[ "$got" = '{"hello":"world"}' ] || fail "npx brook consume printed '$got'"
# Whole answers first, then grep: `curl | grep -q` under pipefail fails when grep exits at its match while curl
# still writes (SIGPIPE), which the metrics page, grown past a pipe buffer, made happen in CI.
metrics="$(curl -sf "http://127.0.0.1:$console_port/metrics")" || fail "metrics: no answer"
grep -q 'brook_records_in_total{topic="my_topic"} 1' <<<"$metrics" || fail "metrics"
page="$(curl -sf "http://127.0.0.1:$console_port/")" || fail "the web console's page: no answer"
grep -qi '<html' <<<"$page" || fail "the web console's page is not served"
echo "pack-install: ok (installed into an empty project: npx brook start, the seed's producer, npx brook consume, /metrics, the console)"
