#!/usr/bin/env bash
# The benchmark at scale (benches/scale.rs): generates logs of decision points with a seeded
# generator and drives the real HTTP server with 16 concurrent clients, on SQLite and, when a
# PostgreSQL server answers, on PostgreSQL too. Arguments are sizes; the environment variables
# of benches/scale.rs (SCALE_SECONDS, SCALE_BACKEND, SCALE_ONLY, ...) pass through.
#
#   scripts/scale-bench.sh                      # 10k and 100k points
#   scripts/scale-bench.sh 1000000              # 1M points (a few minutes to generate)
#   SCALE_BACKEND=sqlite scripts/scale-bench.sh 10000
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
  SCALE_SIZES="$(IFS=,; echo "$*")"
  export SCALE_SIZES
fi
url="${VEDTAKSLOGG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if [ "${SCALE_BACKEND:-}" != "sqlite" ] && command -v psql >/dev/null \
  && psql "$url" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  export VEDTAKSLOGG_TEST_POSTGRES_URL="$url"
elif [ "${SCALE_BACKEND:-}" = "postgres" ] || [ "${SCALE_BACKEND:-}" = "both" ]; then
  echo "error: PostgreSQL at $url does not answer" >&2
  exit 1
else
  echo "PostgreSQL at $url does not answer: SQLite only" >&2
fi
exec cargo bench --bench scale
