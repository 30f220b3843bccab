#!/usr/bin/env bash
# The contract check: Schemathesis (pinned below) tests the running service against the OpenAPI
# document it serves, with every check (`--checks all`) and every phase (examples, coverage,
# fuzzing, and the stateful phase that follows the links between operations), once on a fresh
# SQLite database and once on a fresh PostgreSQL database. Any failure fails the script.
#
#   scripts/schemathesis.sh                      # both backends
#   SCHEMATHESIS_BACKENDS=sqlite scripts/schemathesis.sh
#   SCHEMATHESIS_MAX_EXAMPLES=50 scripts/schemathesis.sh
#
# PostgreSQL: a database named vedtakslogg_schemathesis_<pid> is created on the server of
# SCHEMATHESIS_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and dropped
# afterwards. Reports (JUnit, and the server's log) go to target/schemathesis/<backend>/.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV=target/schemathesis/venv
BACKENDS=${SCHEMATHESIS_BACKENDS:-sqlite postgres}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-25}
POSTGRES_ADMIN_URL=${SCHEMATHESIS_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BIN=target/debug/vedtakslogg
mkdir -p target/schemathesis

# Schemathesis in a virtual environment of its own under target/ (ignored by git), never in
# the system's Python.
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# The debug build is what `cargo test` already built, so this costs little in CI.
cargo build --locked --quiet
# scripts/schemathesis.toml reads the ids of the records each run makes from here; it must
# exist when the configuration is read.
echo '"00000000-0000-0000-0000-000000000000"' >target/schemathesis/seeded-meetings.dict

server_pid=""
database=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
  if [ -n "$database" ]; then
    psql "$POSTGRES_ADMIN_URL" -qtAc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null || true
    database=""
  fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run_backend() {
  local backend=$1
  local out="target/schemathesis/$backend"
  rm -rf "$out" && mkdir -p "$out"
  case "$backend" in
    sqlite)
      export DATABASE_URL="$PWD/$out/vedtakslogg.sqlite3"
      ;;
    postgres)
      database="vedtakslogg_schemathesis_$$"
      psql "$POSTGRES_ADMIN_URL" -qtAc "DROP DATABASE IF EXISTS $database" >/dev/null
      psql "$POSTGRES_ADMIN_URL" -qtAc "CREATE DATABASE $database" >/dev/null
      export DATABASE_URL="${POSTGRES_ADMIN_URL%/*}/$database"
      ;;
    *)
      echo "unknown backend '$backend' (sqlite or postgres)" >&2
      return 1
      ;;
  esac

  # The run's own admin token, made the way an operator makes one. Its secret is the indented
  # line of the command's output.
  local token
  token=$("$BIN" token create --name schemathesis --role admin | sed -n 's/^    \(vl_[^ ]*\)$/\1/p')
  [ -n "$token" ] || { echo "no token was created" >&2; return 1; }

  local port url
  port=$(free_port)
  url="http://127.0.0.1:$port"
  RUST_LOG=info "$BIN" serve --listen "127.0.0.1:$port" >"$out/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 50); do
    curl -fsS "$url/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "$url/readyz" >/dev/null

  # The records that scripts/schemathesis.toml names in its dictionaries.
  seed() {
    curl -fsS -o /dev/null -X POST "$url/api/v1/$1" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "$2"
  }
  seed committees '{"code": "ASU", "name": "Administrativt samarbeidsutvalg"}'
  seed owners '{"name": "Sekretariatet", "kind": "body"}'
  seed owners '{"name": "AU", "kind": "body"}'
  seed meetings '{"committee": "ASU", "date": "2024-06-19"}'
  curl -fsS "$url/api/v1/meetings?committee=ASU" -H "Authorization: Bearer $token" \
    | python3 -c 'import json, sys; [print(json.dumps(m["id"])) for m in json.load(sys.stdin)["items"]]' \
    >target/schemathesis/seeded-meetings.dict
  seed cases '{"committee": "ASU", "meeting_date": "2024-06-19", "number": "1/24", "title": "Godkjenning av innkalling og sakliste"}'

  echo "== schemathesis on $backend ($url, $MAX_EXAMPLES examples an operation)"
  local status=0
  "$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$url/api/v1/openapi.json" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$MAX_EXAMPLES" \
    --header "Authorization: Bearer $token" \
    --seed "${SCHEMATHESIS_SEED:-1}" \
    --workers 1 \
    --report junit --report-dir "$out" \
    --no-color \
    || status=$?
  cleanup
  return $status
}

failed=()
for backend in $BACKENDS; do
  run_backend "$backend" || failed+=("$backend")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "schemathesis found failures on: ${failed[*]} (see the output above and target/schemathesis/)" >&2
  exit 1
fi
echo "schemathesis: no failures on ${BACKENDS}"
