#!/usr/bin/env bash
# Runs every lockstep workload once and checks its output format and checksum (the same
# values the CPython comparators must print; see ../shared/bench-workloads.md).
set -euo pipefail
dir="$(dirname "$0")"
declare -A expect=(
  [spawn]="sum=499999500000"
  [yield]="switches=1000000"
  [timers]="sum_ms=498367644 vtime_end_ms=60561"
  [pingpong]="acc=125000250000"
  [queue]="sum=499999500000"
  [cancel]="cancelled=100000"
  [gather]="sum=4999950000"
  [empty]=""
)
fail=0
for w in "${!expect[@]}"; do
  out=$("$dir/$w" 2>"$TEST_TMPDIR/$w.err")
  if ! grep -Eq "^workload=$w n=[0-9]+ ns_per_op=[0-9.]+ peak_rss_kb=[0-9]+$" <<<"$out"; then
    echo "FAIL $w: bad stdout: $out"; fail=1
  fi
  if [[ -n "${expect[$w]}" ]] && ! grep -q "check impl=lockstep workload=$w ${expect[$w]}" "$TEST_TMPDIR/$w.err"; then
    echo "FAIL $w: checksum: $(cat "$TEST_TMPDIR/$w.err") (want ${expect[$w]})"; fail=1
  fi
done
exit $fail
