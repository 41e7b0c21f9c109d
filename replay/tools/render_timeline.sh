#!/usr/bin/env bash
# Renders a lockstep run's timeline to a PNG with headless Chromium, to look at without
# ui.perfetto.dev (offline, or on a CI machine), and to check how an export reads.
#
#   replay/tools/render_timeline.sh run.trace [out.png]   # exports it first (bazel run)
#   replay/tools/render_timeline.sh run.json  [out.png]   # a `lockstep export --format=chrome`
#
# Draws the export with replay/tools/timeline.html (self-contained: the JSON is put into a
# copy of the page) and screenshots it. Installs Debian's chromium if it is missing
# (apt-get, with sudo when not root). LOCKSTEP_RENDER_DOM=file also writes the drawn
# page's DOM there: its <body> says what was drawn (data-rows, data-running, data-waits,
# data-arrows), which tests/replay:timeline_render_test checks.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
in="${1:?usage: render_timeline.sh RUN.trace|RUN.json [OUT.png]}"
out="${2:-${in%.*}.png}"
size="${LOCKSTEP_RENDER_SIZE:-1400,900}"

chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$chromium_bin" ]]; then
  sudo=""
  [[ "$(id -u)" != 0 ]] && sudo="sudo"
  $sudo apt-get install -y chromium >&2
  chromium_bin="$(command -v chromium)"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
case "$in" in
  *.json) cp "$in" "$work/trace.json" ;;
  *)
    abs="$(cd "$(dirname "$in")" && pwd)/$(basename "$in")"
    (cd "$repo" && ./bazelw run -q //replay:lockstep -- export --format=chrome "$abs") \
      > "$work/trace.json"
    ;;
esac

# The page with the trace in it: `/*TRACE*/` becomes `const TRACE = <json>;`.
python3 - "$here/timeline.html" "$work/trace.json" "$work/timeline.html" <<'PY'
import sys
page, trace, out = sys.argv[1:]
with open(page) as f:
    html = f.read()
with open(trace) as f:
    data = f.read().replace("</", "<\\/")
with open(out, "w") as f:
    f.write(html.replace("/*TRACE*/", "const TRACE = " + data + ";", 1))
PY

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --user-data-dir="$work/profile" --window-size="$size")
"$chromium_bin" "${flags[@]}" --hide-scrollbars --screenshot="$work/out.png" \
  "file://$work/timeline.html" >/dev/null 2>&1
if [[ -n "${LOCKSTEP_RENDER_DOM:-}" ]]; then
  "$chromium_bin" "${flags[@]}" --dump-dom "file://$work/timeline.html" \
    >"$LOCKSTEP_RENDER_DOM" 2>/dev/null
fi
mv "$work/out.png" "$out"
echo "$out"
