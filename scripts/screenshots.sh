#!/usr/bin/env bash
# Saves a screenshot of each page at 1280 and 390 px wide, with sample data (the minutes of
# 19.06.2024), so that anyone can look at what users get. Needs chromium (Debian: chromium).
#
#   scripts/screenshots.sh [output-dir]      (default: target/screenshots)
#
# The pages are shown as an anonymous reader with public reading on, and, when chromedriver is
# there (Debian: chromium-driver), signed in with the first admin account the first start
# printed: the forms editors and admins see, the admin pages, and the import page with the
# preview of a notice (files *-innlogget-*.png).
# The sign-in page and the error page are included.
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
trap 'kill "${server:-0}" "${driver_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
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

driver=$(command -v chromedriver || true)
if [[ -z $driver ]]; then
    echo "no chromedriver on PATH: the signed-in pages are left out (apt-get install chromium-driver)" >&2
    exit 0
fi
# The first start printed the first admin account; sign in with it as a browser would.
email=$(awk '$1 == "e-mail:" {print $2}' "$work/serve.log")
password=$(awk '$1 == "password:" {print $2}' "$work/serve.log")
jar=$work/cookies
csrf=$(curl -s -c "$jar" "$base/logg-inn" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "neste=/" \
    --data-urlencode "epost=$email" --data-urlencode "passord=$password" "$base/logg-inn"
session=$(awk '$6 == "vl_sesjon" {print $7}' "$jar")
[[ -n $session ]] || { echo "could not sign in with the first admin account" >&2; exit 1; }
followup=$(curl -s -b "$jar" "$base$meeting" | grep -o 'href="/saker/[0-9a-f-]*">20/24' | cut -d'"' -f2)
dport=19$((RANDOM % 900 + 100))
"$driver" --port="$dport" >"$work/driver.log" 2>&1 &
driver_pid=$!
wd=http://127.0.0.1:$dport
for _ in $(seq 50); do curl -sf "$wd/status" >/dev/null 2>&1 && break; sleep 0.2; done
options='{"binary":"'$browser'","args":["--headless","--no-sandbox","--disable-gpu","--hide-scrollbars","--disable-dev-shm-usage","--lang=nb"]}'
sid=$(curl -s -X POST "$wd/session" -d '{"capabilities":{"alwaysMatch":{"goog:chromeOptions":'"$options"'}}}' | jq -r .value.sessionId)
post() { curl -s -X POST "$wd/session/$sid/$1" -d "$2" >/dev/null; }
post url "{\"url\":\"$base/healthz\"}"
post cookie "{\"cookie\":{\"name\":\"vl_sesjon\",\"value\":\"$session\",\"path\":\"/\"}}"
signed_in=(
    "vedtakspunkt-innlogget|$point"
    "sak-innlogget|${followup:-$case}"
    "forslag-innlogget|/forslag"
    "ansvarlige-innlogget|/ansvarlige"
    "brukere-innlogget|/brukere"
    "api-nokler-innlogget|/api-nokler"
)
for entry in "${signed_in[@]}"; do
    name=${entry%%|*}
    path=${entry#*|}
    for width in 1280 390; do
        height=$([[ $width == 390 ]] && echo 2000 || echo 1400)
        post window/rect "{\"width\":$width,\"height\":$height}"
        post url "{\"url\":\"$base$path\"}"
        curl -s "$wd/session/$sid/screenshot" | jq -r .value | base64 -d >"$out/$name-$width.png"
        echo "$out/$name-$width.png"
    done
done
# The import page: empty, and the preview of the notice of 30.08.2024 (new points to create,
# and the importer's warnings), as an editor gets it after choosing the file.
element() { curl -s -X POST "$wd/session/$sid/element" -d '{"using":"css selector","value":"'"$1"'"}' | jq -r '.value | to_entries[0].value'; }
notice=$(pwd)/${VEDTAKSLOGG_PREVIEW_FIXTURE:-tests/fixtures/asu-2024-08-30-innkalling.docx}
for width in 1280 390; do
    post window/rect "{\"width\":$width,\"height\":$([[ $width == 390 ]] && echo 1400 || echo 1000)}"
    post url "{\"url\":\"$base/importer\"}"
    curl -s "$wd/session/$sid/screenshot" | jq -r .value | base64 -d >"$out/importer-innlogget-$width.png"
    echo "$out/importer-innlogget-$width.png"
    post "element/$(element '#felt-dokument')/value" "{\"text\":\"$notice\"}"
    post "element/$(element "form[action='/importer'] button[type=submit]")/click" '{}'
    sleep 1
    post window/rect "{\"width\":$width,\"height\":$([[ $width == 390 ]] && echo 9000 || echo 4000)}"
    curl -s "$wd/session/$sid/screenshot" | jq -r .value | base64 -d >"$out/importer-forhandsvisning-innlogget-$width.png"
    echo "$out/importer-forhandsvisning-innlogget-$width.png"
done
curl -s -X DELETE "$wd/session/$sid" >/dev/null
