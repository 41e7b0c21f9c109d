#!/usr/bin/env bash
# Draws a recorded run's timeline with replay/tools/render_timeline.sh (headless
# Chromium, replay/tools/timeline.html) and checks what the page drew: a row for each of
# the run's tasks, running steps, waits named by what they await, and arrows from the
# task or timer that woke a task; and that a screenshot came out. Skips, saying so, where
# Chromium is not installed (.ci/run installs it).
set -euo pipefail
target="$1" render="$2"
chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$chromium_bin" ]]; then
  echo "SKIPPED: no chromium on PATH (apt-get install chromium to run this test)"
  exit 0
fi
out="${TEST_TMPDIR:-$(mktemp -d)}"
"$target" record "$out/run.trace" >/dev/null
"$target" export --format=chrome "$out/run.trace" >"$out/run.json"
LOCKSTEP_RENDER_DOM="$out/dom.html" bash "$render" "$out/run.json" "$out/timeline.png" >/dev/null
fail() {
  echo "FAIL: $*"
  exit 1
}
[[ -s "$out/timeline.png" ]] || fail "no screenshot"
body="$(grep -o '<body[^>]*>' "$out/dom.html" || true)"
[[ "$body" == *'data-rendered="ok"'* ]] || fail "the page did not draw: ${body:-no <body>}"
attr() { sed -n "s/.*data-$1=\"\([0-9]*\)\".*/\1/p" <<<"$body"; }
# debug_target's run: main, the producer and the consumer.
[[ "$(attr rows)" == 3 ]] || fail "rows: $(attr rows), want 3 ($body)"
(($(attr running) >= 10)) || fail "running steps: $(attr running) ($body)"
(($(attr waits) >= 5)) || fail "waits: $(attr waits) ($body)"
(($(attr arrows) >= 5)) || fail "arrows: $(attr arrows) ($body)"
grep -q 'Queue.get()' "$out/run.json" || fail "no wait named by what it awaits in the export"
echo "ok: $(attr rows) rows, $(attr running) steps, $(attr waits) waits, $(attr arrows) arrows"
