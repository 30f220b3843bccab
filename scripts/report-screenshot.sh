#!/usr/bin/env bash
# Renders the HTML report of a small sample log in headless Chromium and saves a screenshot,
# to check by eye that the report is a readable table. Needs Debian's chromium package.
#   scripts/report-screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/report.png}"
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build -q
port=18787
DATABASE_URL="$work/log.sqlite3" RUST_LOG=warn ./target/debug/vedtakslogg serve --listen "127.0.0.1:$port" >"$work/out.txt" &
server=$!
for _ in $(seq 1 50); do grep -q 'vl_' "$work/out.txt" 2>/dev/null && break; sleep 0.2; done
token=$(grep -o 'vl_[A-Za-z0-9_-]*' "$work/out.txt")
api="http://127.0.0.1:$port/api/v1"
post() { curl -sf "$api/$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2" >/dev/null; }

post committees '{"code": "ASU", "name": "Administrativt samarbeidsutvalg"}'
post meetings '{"committee": "ASU", "date": "2024-06-19", "status": "held"}'
post cases '{"committee": "ASU", "meeting_date": "2024-06-19", "number": "24/24", "title": "Status Handlingsplan 2022 -2024 i helsefelleskapet - saker til oppfølging"}'
post decisions '{"committee": "ASU", "case_number": "24/24", "position": "1", "kind": "orientation", "text": "ASU tar status handlingsplan 2022 – 2024 til orientering."}'
post decisions '{"committee": "ASU", "case_number": "24/24", "position": "2", "kind": "assignment", "owners": [{"owner": "Sekretariatet"}], "deadline": "2024-08-30", "text": "ASU tar saker til oppfølging til orientering, og ber sekretariatet utarbeide en vedtakslogg som benyttes i det videre arbeidet i helsefelleskapet, som holdes oppdatert fortløpende og kan fremlegges ved ønske/behov."}'
post decisions '{"committee": "ASU", "case_number": "24/24", "position": "3", "kind": "recommendation", "owners": [{"owner": "Kommunene"}, {"owner": "St. Olavs hospital"}], "text": "ASU anbefaler utarbeidelse av ny handlingsplan. Dette må ses i sammenheng med arbeidet med revidert samarbeidsavtale."}'
post cases '{"committee": "ASU", "meeting_date": "2024-06-19", "number": "20/24", "title": "Oppfølging sak 3/24 – arbeid med læringspunkter identifisert av Forbedringsgruppen"}'
post decisions '{"committee": "ASU", "case_number": "20/24", "position": "1", "kind": "assignment", "owners": [{"owner": "Forbedringsgruppen"}], "deadline": "2024-12-06", "text": "ASU ber Forbedringsgruppen følge opp læringspunktene og rapportere i desember-møtet."}'

curl -sf "$api/report?committee=ASU&format=html" -H "Authorization: Bearer $token" >"$work/report.html"
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/chromium" --window-size=1400,900 --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "screenshot: $out"
