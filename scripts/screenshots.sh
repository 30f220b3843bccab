#!/usr/bin/env bash
# Saves a screenshot of each page at 1280 and 390 px wide, with sample data (the minutes of
# 19.06.2024), so that anyone can look at what users get. Needs chromium (Debian: chromium).
#
#   scripts/screenshots.sh [output-dir]      (default: target/screenshots)
#
# The pages are shown as an anonymous reader with public reading on: headless Chromium's
# screenshot mode cannot sign in. The sign-in page and the error page are included.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/screenshots}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
    echo "skipped: no chromium on PATH (apt-get install chromium)" >&2
    exit 1
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build -q
bin=target/debug/vedtakslogg
export DATABASE_URL=$work/log.sqlite3
fixture=${VEDTAKSLOGG_FIXTURE:-tests/fixtures/asu-2024-06-19-referat.txt}
"$bin" import "$fixture" >/dev/null 2>&1
port=18$((RANDOM % 900 + 100))
VEDTAKSLOGG_LISTEN=127.0.0.1:$port VEDTAKSLOGG_PUBLIC_READ=1 "$bin" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
base=http://127.0.0.1:$port
point=$(curl -s "$base/vedtakspunkter?q=vedtakslogg" | grep -o 'href="/vedtakspunkter/[0-9a-f-]*"' | head -1 | cut -d'"' -f2)
first_link() { curl -s "$base$1" | grep -o "href=\"$2[0-9a-f-]*\"" | head -1 | cut -d'"' -f2; }
case=$(first_link "$point" /saker/)
meeting=$(first_link "$point" /moter/)
pages=(
    "oversikt|/"
    "vedtakspunkter|/vedtakspunkter"
    "vedtakspunkter-sok|/vedtakspunkter?q=vedtakslogg&status=open"
    "vedtakspunkter-filter|/vedtakspunkter?type=assignment&status=open"
    "vedtakspunkter-utskrift|/vedtakspunkter/utskrift?type=assignment"
    "vedtakspunkt|$point"
    "sak|$case"
    "moter|/moter"
    "mote|$meeting"
    "saker-til-oppfolging|$meeting/oppfolging"
    "ansvarlige|/ansvarlige"
    "logg-inn|/logg-inn"
    "ikke-funnet|/finnes-ikke"
)
for entry in "${pages[@]}"; do
    name=${entry%%|*}
    path=${entry#*|}
    for width in 1280 390; do
        height=$([[ $width == 390 ]] && echo 1700 || echo 1100)
        "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
            --window-size="$width,$height" --screenshot="$out/$name-$width.png" "$base$path" >/dev/null 2>&1
        echo "$out/$name-$width.png"
    done
done
