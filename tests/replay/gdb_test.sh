#!/usr/bin/env bash
# LOCKSTEP_BREAK_AT and `replay --break-at` under Debian's gdb, in batch mode: the run
# stops with SIGTRAP at the moment `lockstep show` numbers, inside the code that asked
# for the decision, and replay/tools/lockstep_gdb.py lists the loop's tasks, ready queue
# and virtual time; without a debugger the run says where it is and goes on; bad numbers
# get clear errors. Usage: gdb_test.sh DEBUG_TARGET SAMPLE_SUITE LOCKSTEP_GDB_PY
set -uo pipefail
target=$1 suite=$2 script=$3
if ! command -v gdb >/dev/null; then
  echo "FAILED: gdb is not installed: ./bazelw installs it (Debian package gdb), or" \
       "apt-get install gdb" >&2
  exit 1
fi
work="${TEST_TMPDIR:-$(mktemp -d)}/gdb"
rm -rf "$work" && mkdir -p "$work"
failures=0
check() {  # check NAME CONDITION-EXIT-CODE
  if [[ "$2" -eq 0 ]]; then echo "ok: $1"; else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
# in_bt FILE PATTERN: a frame of gdb's backtrace in FILE matches PATTERN (frames differ in
# shape between builds: -O2 -g1 stripped, ASan's -O1 with inlined frames, clang).
in_bt() {
  grep -qE -- "^#[0-9]+ .*($2)" "$1" || { echo "  (no frame matching '$2' in $1:)"; grep -E '^#[0-9]+ ' "$1" | cut -c1-160 | sed 's/^/  | /'; return 1; }
}
has() { grep -qF -- "$2" "$1" || { echo "  (no '$2' in $1:)"; sed 's/^/  | /' "$1" | head -60; return 1; }; }
# gdb in batch mode: run, and at the stop the commands given; then continue to the end.
# (--config=asan: LeakSanitizer cannot run under ptrace, so it is off under gdb.)
debug() {  # debug OUT -- ENV... BINARY ARGS...
  local out=$1; shift 2
  local envs=()
  while [[ $1 == *=* ]]; do envs+=("$1"); shift; done
  env -u TEST_TOTAL_SHARDS -u TEST_SHARD_INDEX -u TEST_SHARD_STATUS_FILE -u XML_OUTPUT_FILE \
    -u TEST_UNDECLARED_OUTPUTS_DIR -u TEST_TARGET -u GTEST_TOTAL_SHARDS -u GTEST_SHARD_INDEX \
    "${envs[@]}" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    timeout 60 gdb -batch -nx -ex run -ex bt -ex "source $script" \
    -ex "lockstep tasks" -ex "lockstep ready" -ex "lockstep timers" -ex "lockstep time" \
    -ex continue --args "$@" > "$out" 2>&1
}

# The trace, and `show`: every line of the run carries its number (d.., e.., l..).
"$target" record "$work/run.trace" > /dev/null; check "the program records a trace" $?
"$target" show "$work/run.trace" > "$work/show.txt"; check "show reads it" $?
! sed '1d;$d' "$work/show.txt" | grep -qvE '^[del][0-9]+ +[0-9]+\.[0-9]{6}s  '
check "every timeline line of show starts with d<N>, e<N> or l<N>" $?
has "$work/show.txt" "d2   0.010216s  task 3 'producer'  decision #2 random site=tests/replay/debug_target.cc"
check "show numbers the decision to break at: d2" $?

# 1. replay --break-at at a decision: stopped inside the code that asked for it.
debug "$work/d2.txt" -- "$target" replay "$work/run.trace" --break-at=d2
has "$work/d2.txt" "LOCKSTEP_BREAK_AT=d2 reached: decision #2 random"; check "d2: says where it stops" $?
has "$work/d2.txt" "Program received signal SIGTRAP"; check "d2: gdb stops with SIGTRAP" $?
grep -qE "^#0 .*BreakAtSink::trap" "$work/d2.txt"; check "d2: frame 0 is BreakAtSink::trap" $?
in_bt "$work/d2.txt" "BreakAtSink::on_decision"; check "d2: a decision" $?
in_bt "$work/d2.txt" "pick_batch_size"; check "d2: pick_batch_size() asked for it" $?
in_bt "$work/d2.txt" "producer"; check "d2: in the producer's coroutine" $?
has "$work/d2.txt" "task 3 'producer': running"; check "d2: lockstep tasks: the producer runs" $?
has "$work/d2.txt" "task 2 'consumer': ready (#1 in the ready queue)"
check "d2: lockstep tasks: the consumer is ready" $?
has "$work/d2.txt" "task 1 'main': waiting on Task 'producer'"; check "d2: lockstep tasks: main awaits" $?
has "$work/d2.txt" "ready queue (1, runs first to last):"; check "d2: lockstep ready" $?
has "$work/d2.txt" "1. task 2 'consumer' (its next step)"; check "d2: lockstep ready lists the consumer" $?
has "$work/d2.txt" "timers (0, in firing order):"; check "d2: lockstep timers" $?
has "$work/d2.txt" "virtual time: 0.010216s (global)"; check "d2: lockstep time" $?
has "$work/d2.txt" "replayed $work/run.trace: ok"; check "d2: continue runs the replay to its end" $?

# 2. LOCKSTEP_BREAK_AT at an event (a task's first step), with replay.
debug "$work/e7.txt" -- LOCKSTEP_BREAK_AT=e7 "$target" replay "$work/run.trace"
has "$work/e7.txt" "event #7 task_started of task 3 'producer'"; check "e7: says what the event is" $?
has "$work/e7.txt" "Program received signal SIGTRAP"; check "e7: gdb stops" $?
in_bt "$work/e7.txt" "TaskBase::on_first_step"; check "e7: where the task's first step starts" $?
has "$work/e7.txt" "task 3 'producer': about to take its first step"; check "e7: the producer is starting" $?

# 3. A LOCKSTEP_TEST, a plain seeded run (no trace): the stack shows the test's body.
debug "$work/suite.txt" -- LOCKSTEP_SEED=1 LOCKSTEP_BREAK_AT=d1 "$suite" --gtest_filter=Sample.Passes
has "$work/suite.txt" "LOCKSTEP_BREAK_AT=d1 reached: decision #1 random"; check "suite: stops at d1" $?
in_bt "$work/suite.txt" "Sample_Passes_LockstepTest::LockstepBody|LockstepBody .* at tests/testing/sample_suite.cc:30"
check "suite: in the test's body" $?
has "$work/suite.txt" "task 1 'main': running"; check "suite: lockstep tasks" $?
has "$work/suite.txt" "[  PASSED  ] 1 test."; check "suite: continue finishes the test" $?

# 3b. A LOCKSTEP_TEST replaying the trace of its failure (LOCKSTEP_REPLAY), as from CI.
env -u TEST_TOTAL_SHARDS -u TEST_SHARD_INDEX -u TEST_SHARD_STATUS_FILE -u XML_OUTPUT_FILE \
  -u TEST_UNDECLARED_OUTPUTS_DIR -u TEST_TARGET -u GTEST_TOTAL_SHARDS -u GTEST_SHARD_INDEX \
  LOCKSTEP_SEED=0 LOCKSTEP_SHRINK=0 LOCKSTEP_TRACE_DIR="$work/traces" \
  "$suite" --gtest_filter=Sample.LostUpdate > "$work/failing.txt" 2>&1
failing="$work/traces/Sample.LostUpdate.seed0.trace"
check "the suite saves a failing trace" $([[ -s "$failing" ]]; echo $?)
"$target" show "$failing" > "$work/failing_show.txt"
has "$work/failing_show.txt" "d2   0.000000s  task 3 'b'  decision #2 random site=tests/testing/sample_suite.cc"
check "its show numbers b's draw d2" $?
debug "$work/replay.txt" -- LOCKSTEP_REPLAY="$failing" LOCKSTEP_TRACE_DIR="$work/traces2" \
  LOCKSTEP_BREAK_AT=d2 "$suite" --gtest_filter=Sample.LostUpdate
has "$work/replay.txt" "LOCKSTEP_BREAK_AT=d2 reached: decision #2 random"; check "LOCKSTEP_REPLAY: stops at d2" $?
in_bt "$work/replay.txt" "Sample_LostUpdate_LockstepTest::LockstepBody|at tests/testing/sample_suite.cc:38"
check "LOCKSTEP_REPLAY: in the test's coroutine" $?
has "$work/replay.txt" "task 3 'b': running"; check "LOCKSTEP_REPLAY: lockstep tasks" $?
has "$work/replay.txt" "fails when replaying $failing"; check "LOCKSTEP_REPLAY: continue replays the failure" $?

# 4. No debugger: SIGTRAP would kill the process, so it says where it is and goes on.
LOCKSTEP_BREAK_AT=l1 "$target" replay "$work/run.trace" > "$work/nodebugger.txt" 2>&1
check "no debugger: the replay still succeeds" $?
has "$work/nodebugger.txt" "LOCKSTEP_BREAK_AT=l1 reached: log line #1 'consumed 1'"; check "no debugger: the moment" $?
has "$work/nodebugger.txt" "no debugger attached, so not stopping"; check "no debugger: says so" $?
has "$work/nodebugger.txt" "task 2 'consumer': running"; check "no debugger: the loop's state" $?

# 5. Numbers out of range and garbage.
"$target" replay "$work/run.trace" --break-at e900 > "$work/range.txt" 2>&1
check "out of range: exit 2" $([[ $? -eq 2 ]]; echo $?)
has "$work/range.txt" "--break-at=e900: the trace has 44 events (e0-e43)"; check "out of range: says what the trace has" $?
"$target" replay "$work/run.trace" --break-at=x1 > "$work/garbage.txt" 2>&1
check "garbage: exit 2" $([[ $? -eq 2 ]]; echo $?)
has "$work/garbage.txt" "'x1' is not a moment of a run: want d<N> (decision #N)"; check "garbage: says what it takes" $?
LOCKSTEP_BREAK_AT=7 "$target" replay "$work/run.trace" > "$work/env.txt" 2>&1
check "garbage in LOCKSTEP_BREAK_AT: exit 2" $([[ $? -eq 2 ]]; echo $?)
has "$work/env.txt" "LOCKSTEP_BREAK_AT='7' is not a moment of a run"; check "garbage in LOCKSTEP_BREAK_AT: named" $?
LOCKSTEP_BREAK_AT=d999 "$target" replay "$work/run.trace" > "$work/never.txt" 2>&1
has "$work/never.txt" "LOCKSTEP_BREAK_AT=d999 was never reached: the run made 4 decisions (d0-d3), 44 events (e0-e43), 9 log lines (l0-l8)"
check "never reached: says what the run made" $?

echo "$failures failed"
[[ $failures -eq 0 ]]
