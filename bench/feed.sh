#!/usr/bin/env bash
# The feed beside the engagement stream, on one fresh server: bench/load.mjs runs
#   engagement, 1,000 subscribers x 100 likes     (this session's S2-like reference)
#   feed, N followers x 100 tweets of one author  (N = 1,000, 5,000, 10,000 by default)
# with the server pinned to core 0 and the tool to core 1, and appends each run's JSON line to
# OUT (default bench/results/feed-<stamp>.jsonl). Plot it: .venv/bin/python bench/plot.py OUT.png OUT
#   bash bench/feed.sh [OUT] [FOLLOWERS...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/feed-$(date +%Y%m%d-%H%M%S).jsonl}
shift || true
if [ $# -gt 0 ]; then followers=("$@"); else followers=(1000 5000 10000); fi
mkdir -p "$(dirname "$out")"
[ -d bench/node_modules ] || (cd bench && npm ci --silent)
port=${PORT:-9400}
secret=feed-bench-secret-feed-bench-secret-0000
db=$(mktemp -d)/feed.db
TIDINGS_SECRET=$secret TIDINGS_BROKER_URL=memory:// TIDINGS_DATABASE_URL=sqlite+aiosqlite:///$db \
  TIDINGS_LOG_LEVEL=warning TIDINGS_MUTATION_RATE=0 TIDINGS_MAX_CONNECTIONS_PER_USER=0 \
  taskset -c 0 .venv/bin/tidings serve --port "$port" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
run() {
  echo "==> $*" >&2
  taskset -c 1 node bench/load.mjs --url "http://127.0.0.1:$port" --secret "$secret" --timeout 240 "$@" >> "$out"
}
run --stream engagement --subs 1000 --events 100
for n in "${followers[@]}"; do run --stream feed --followers "$n" --events 100; done
echo "wrote $out" >&2
