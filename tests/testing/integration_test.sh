#!/usr/bin/env bash
# LOCKSTEP_TEST end to end, through a real test binary run as a subprocess: failures name
# their seed and replay, shards cover every seed once, CO_ASSERT stops the body, the
# determinism check catches nondeterminism, bad environment values are named.
set -uo pipefail
suite="$1"
work="${TEST_TMPDIR:-$(mktemp -d)}/integration"
rm -rf "$work" && mkdir -p "$work"
failures=0
check() {  # check NAME CONDITION-EXIT-CODE
  if [[ "$2" -eq 0 ]]; then echo "ok: $1"; else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
has() { grep -qF -- "$2" "$1"; }
# A clean environment: nothing from Bazel's own sharding or traces leaks in.
run() { env -u TEST_TOTAL_SHARDS -u TEST_SHARD_INDEX -u TEST_SHARD_STATUS_FILE \
          -u GTEST_TOTAL_SHARDS -u GTEST_SHARD_INDEX -u TEST_UNDECLARED_OUTPUTS_DIR \
          -u XML_OUTPUT_FILE -u TEST_TARGET LOCKSTEP_TRACE_DIR="$work/traces" "$@"; }

# 1. A failing sweep reports its seed, a trace and a shrunk trace, and one command.
run "$suite" --gtest_filter=Sample.LostUpdate --gtest_output="xml:$work/report.xml" > "$work/fail.txt" 2>&1
code=$?
check "a failing sweep fails the test" $([[ $code -ne 0 ]]; echo $?)
has "$work/fail.txt" "an update was lost"; check "gtest's own message is shown" $?
seed=$(sed -n 's/.*Sample.LostUpdate failed at seed \([0-9]*\).*/\1/p' "$work/fail.txt" | head -1)
check "the failing seed is named ($seed)" $([[ -n "$seed" ]]; echo $?)
trace="$work/traces/Sample.LostUpdate.seed$seed.trace"
check "its trace is saved" $([[ -s "$trace" ]]; echo $?)
check "a shrunk trace is saved" $([[ -s "$work/traces/Sample.LostUpdate.seed$seed.shrunk.trace" ]]; echo $?)
has "$work/fail.txt" "LOCKSTEP_SEED=$seed "; check "the replay command names the seed" $?
[[ $(grep -c "failed at seed" "$work/fail.txt") -eq 1 ]]; check "the failure is reported once" $?
has "$work/report.xml" "name=\"lockstep_failing_seed\" value=\"$seed\""; check "the seed is a property in the XML" $?
has "$work/report.xml" "name=\"lockstep_trace\" value=\"$trace\""; check "the trace is a property in the XML" $?

# 2. The trace replays to the same failure; so does the seed.
run env LOCKSTEP_REPLAY="$trace" "$suite" --gtest_filter=Sample.LostUpdate > "$work/replay.txt" 2>&1
check "replaying the trace fails" $([[ $? -ne 0 ]]; echo $?)
has "$work/replay.txt" "fails when replaying $trace (seed $seed"; check "... when replaying" $?
has "$work/replay.txt" "an update was lost"; check "... the same way" $?
run env LOCKSTEP_SEED="$seed" "$suite" --gtest_filter=Sample.LostUpdate > "$work/seed.txt" 2>&1
has "$work/seed.txt" "failed at seed $seed (seeds $seed,"; check "LOCKSTEP_SEED reruns that seed" $?
run env LOCKSTEP_REPLAY="$trace" "$suite" --gtest_filter='Sample.Passes:Sample.LostUpdate' > "$work/other.txt" 2>&1
grep -q "SKIPPED.*Sample.Passes" "$work/other.txt"; check "another test skips a trace that is not its own" $?
has "$work/other.txt" "is a trace of 'Sample.LostUpdate'"; check "... and says why" $?
run env LOCKSTEP_REPLAY="$trace" "$suite" --gtest_filter=Sample.Passes > "$work/none.txt" 2>&1
check "a replay that no test takes fails" $([[ $? -ne 0 ]]; echo $?)
has "$work/none.txt" "no LOCKSTEP_TEST of this run replayed it (it is a trace of 'Sample.LostUpdate'"
check "... saying whose trace it is" $?

# 3. Shards: every seed of a sweep exactly once; plain tests on exactly one shard.
rm -f "$work/seeds.log"
for i in 0 1 2; do
  run env TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=$i TEST_SHARD_STATUS_FILE="$work/shard$i" \
    SAMPLE_LOG="$work/seeds.log" "$suite" --gtest_filter='Sample.Passes:Plain.*' > "$work/shard$i.txt" 2>&1
  check "shard $i passes" $?
  check "shard $i touches the shard status file" $([[ -e "$work/shard$i" ]]; echo $?)
done
run env SAMPLE_LOG="$work/unsharded.log" "$suite" --gtest_filter='Sample.Passes' > /dev/null 2>&1
sort "$work/unsharded.log" > "$work/a"; grep '^ran' "$work/seeds.log" | sort > "$work/b"
[[ $(wc -l < "$work/a") -eq 30 ]]; check "an unsharded sweep runs its 30 seeds" $?
cmp -s "$work/a" "$work/b"; check "three shards together run exactly those seeds" $?
[[ $(grep -c '^plain' "$work/seeds.log") -eq 1 ]]; check "a plain test runs on one shard only" $?
has "$work/shard1.txt" "shard 2 of 3: 10 seeds (1, 4, ..., 28 (every 3rd of 0..29)"
check "a shard says its share and which seeds they are" $?

# 4. CO_ASSERT stops the body.
rm -f "$work/assert.log"
run env SAMPLE_LOG="$work/assert.log" LOCKSTEP_SHRINK=0 "$suite" --gtest_filter=Sample.AssertStopsTheBody > "$work/assert.txt" 2>&1
check "a CO_ASSERT failure fails the test" $([[ $? -ne 0 ]]; echo $?)
has "$work/assert.txt" "stop here"; check "... with its message" $?
check "... and the body stops there" $([[ ! -e "$work/assert.log" ]]; echo $?)

# 5. The determinism check catches a body that is not deterministic.
run "$suite" --gtest_filter=Sample.Nondeterministic > "$work/nd0.txt" 2>&1
check "without the check it passes" $?
run env LOCKSTEP_CHECK_DETERMINISM=1 "$suite" --gtest_filter=Sample.Nondeterministic > "$work/nd.txt" 2>&1
check "with LOCKSTEP_CHECK_DETERMINISM=1 it fails" $([[ $? -ne 0 ]]; echo $?)
has "$work/nd.txt" "seed is not deterministic"; check "... saying so" $?
has "$work/nd.txt" "LOCKSTEP_CHECK_DETERMINISM=1"; check "... and the rerun command keeps the check" $?

# 6. Skips, late failures, one report per failure with the determinism check.
rm -f "$work/skip.log"
run env SAMPLE_LOG="$work/skip.log" "$suite" --gtest_filter='Sample.Skips:SkippingFixture.*' > "$work/skip.txt" 2>&1
check "skipped sweeps pass" $?
[[ $(grep -c '^\[  SKIPPED \] .*(' "$work/skip.txt") -eq 2 ]]; check "CO_SKIP and a skipping SetUp skip the sweep" $?
has "$work/skip.txt" "no network here"; check "... saying why" $?
check "... and the bodies stop" $([[ ! -e "$work/skip.log" ]]; echo $?)
run env LOCKSTEP_SHRINK=0 "$suite" --gtest_filter=Ticker.LateFailure > "$work/late.txt" 2>&1
check "a failure in a task cancelled after the body fails the run" $([[ $? -ne 0 ]]; echo $?)
grep -qE 'late failure after [0-9]+ ticks' "$work/late.txt"; check "... and names it" $?
run env LOCKSTEP_CHECK_DETERMINISM=1 LOCKSTEP_SHRINK=0 "$suite" --gtest_filter=Sample.LostUpdate > "$work/det.txt" 2>&1
[[ $(grep -c '^an update was lost' "$work/det.txt") -eq 1 ]]
check "with the determinism check a failure is reported once" $?

# 7. A process that dies still names its seed.
run "$suite" --gtest_filter=Sample.AbortsAtTheThirdSeed > "$work/abort.txt" 2>&1
check "an abort kills the test" $([[ $? -ne 0 ]]; echo $?)
has "$work/abort.txt" "Sample.AbortsAtTheThirdSeed: the process died at seed 2 (SIGABRT)"
check "... and the seed is named" $?
grep -qE "^    LOCKSTEP_SEED=2 .*--gtest_filter=Sample.AbortsAtTheThirdSeed$" "$work/abort.txt"
check "... with the command that reruns it" $?
run "$suite" --gtest_filter=Sample.TerminatesAtTheSecondSeed > "$work/terminate.txt" 2>&1
check "std::terminate kills the test" $([[ $? -ne 0 ]]; echo $?)
has "$work/terminate.txt" "the process died at seed 1 (std::terminate)"
check "... and the seed is named" $?
[[ $(grep -c "the process died" "$work/terminate.txt") -eq 1 ]]
check "... once" $?
run "$suite" --gtest_filter=Sample.FaultsAtTheSecondSeed > "$work/segv.txt" 2>&1
check "a segmentation fault kills the test" $([[ $? -ne 0 ]]; echo $?)
has "$work/segv.txt" "the process died at seed 1 (SIGSEGV)"; check "... and the seed is named" $?

# 8. A task's exception nobody retrieved fails the run, unless switched back to a warning.
run "$suite" --gtest_filter=Sample.UnretrievedTaskError > "$work/unretrieved.txt" 2>&1
check "an unretrieved task error fails the test" $([[ $? -ne 0 ]]; echo $?)
has "$work/unretrieved.txt" "failed at seed 0"; check "... at the first seed" $?
has "$work/unretrieved.txt" "Task 'forgotten' failed and nobody retrieved its exception"
check "... naming the task" $?
has "$work/unretrieved.txt" "std::runtime_error: nobody looked"; check "... and its error" $?
run "$suite" --gtest_filter=Sample.UnretrievedTaskErrorOnlyWarns > "$work/warns.txt" 2>&1
check "with .unretrieved_errors = kWarn it passes" $?
has "$work/warns.txt" "Task exception was never retrieved"; check "... and warns" $?
run env LOCKSTEP_UNRETRIEVED=warn "$suite" --gtest_filter=Sample.UnretrievedTaskError > /dev/null 2>&1
check "LOCKSTEP_UNRETRIEVED=warn lets it pass" $?
run env LOCKSTEP_UNRETRIEVED=fail "$suite" --gtest_filter=Sample.UnretrievedTaskErrorOnlyWarns > /dev/null 2>&1
check "LOCKSTEP_UNRETRIEVED=fail fails the kWarn test" $([[ $? -ne 0 ]]; echo $?)

# 9. Bad values are named.
bad() {  # bad VAR VALUE EXPECTED-TEXT
  run env "$1=$2" "$suite" --gtest_filter=Sample.Passes > "$work/bad.txt" 2>&1
  local code=$?
  [[ $code -ne 0 ]] && has "$work/bad.txt" "$3"
  check "$1='$2' is refused clearly" $?
}
bad LOCKSTEP_SEEDS abc "LOCKSTEP_SEEDS='abc': expected a count of seeds"
bad LOCKSTEP_SEEDS 9..3 "LOCKSTEP_SEEDS='9..3': expected"
bad LOCKSTEP_SEED -1 "LOCKSTEP_SEED='-1': expected one seed"
bad LOCKSTEP_STRATEGY fast "LOCKSTEP_STRATEGY='fast': expected fifo, faithful, random or pct"
bad LOCKSTEP_CANCEL random:2 "LOCKSTEP_CANCEL='random:2': expected"
bad LOCKSTEP_CHECK_DETERMINISM maybe "LOCKSTEP_CHECK_DETERMINISM='maybe': expected 1 or 0"
bad LOCKSTEP_FAULTS /nonexistent/plan.txt "LOCKSTEP_FAULTS='/nonexistent/plan.txt'"
bad LOCKSTEP_REPLAY /nonexistent/x.trace "LOCKSTEP_REPLAY: "
bad LOCKSTEP_UNRETRIEVED maybe "LOCKSTEP_UNRETRIEVED='maybe': expected fail or warn"
echo "garbage" > "$work/garbage.trace"
bad LOCKSTEP_REPLAY "$work/garbage.trace" "not a lockstep trace"

echo "$failures failed"
[[ $failures -eq 0 ]]
