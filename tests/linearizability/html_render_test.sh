#!/usr/bin/env bash
# Loads the checker's HTML pages in headless Chromium and checks that their script ran
# without an error and drew every operation (data-rendered="ok", data-ops=N on <body>).
# Skips, saying so, where Chromium is not installed (CI has none; `apt-get install
# chromium` to run it, as replay/tools/render_timeline.sh does).
set -euo pipefail
writer="$1"
chromium_bin="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$chromium_bin" ]]; then
  echo "SKIPPED: no chromium on PATH (apt-get install chromium to run this test)"
  exit 0
fi
out="${TEST_TMPDIR:-$(mktemp -d)}"
"$writer" "$out" > /dev/null
check() {
  local page="$1" want_ops="$2"
  local dom
  dom="$("$chromium_bin" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --user-data-dir="$out/profile" --virtual-time-budget=5000 --dump-dom "file://$out/$page" 2>/dev/null)"
  if ! grep -q 'data-rendered="ok"' <<<"$dom"; then
    echo "FAIL: $page did not render: $(grep -o 'data-rendered="[^"]*"' <<<"$dom" || echo 'no marker')"
    exit 1
  fi
  if ! grep -q "data-ops=\"$want_ops\"" <<<"$dom"; then
    echo "FAIL: $page drew $(grep -o 'data-ops="[^"]*"' <<<"$dom") operations, want $want_ops"
    exit 1
  fi
  echo "ok: $page rendered $want_ops operations"
}
check failure.html 4   # its smallest illegal prefix: the failed write is left out
check kv.html 60
