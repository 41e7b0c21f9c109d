#!/usr/bin/env bash
# Fuzzes the trace reader with libFuzzer (clang, ASan, UBSan), starting from real traces.
#   tests/fuzz/run_trace_reader_fuzzer.sh                 # 200,000 runs, seed 1
#   tests/fuzz/run_trace_reader_fuzzer.sh -max_total_time=600
# Exit status 0: no input crashed the reader. A crashing input is saved as crash-* here.
set -euo pipefail
cd "$(dirname "$0")/../.."
./bazelw build --config=clang //tests/fuzz:write_seed_traces >/dev/null 2>&1
./bazelw build --config=fuzz //tests/fuzz:trace_reader_fuzzer >/dev/null 2>&1
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
bazel-bin/tests/fuzz/write_seed_traces "$corpus" >/dev/null
if [ "$#" -eq 0 ]; then set -- -runs=200000 -seed=1; fi
bazel-bin/tests/fuzz/trace_reader_fuzzer -max_len=4096 -timeout=10 "$@" "$corpus"
