#!/usr/bin/env bash
# Builds the lockstep workloads (-c opt), runs each next to its CPython asyncio comparator
# (bench/py/, on a virtual-time loop) in one go, checks that both sides print the same
# checksums, and prints ns/op, the ratio CPython/lockstep, and peak RSS per workload.
#   bench/run_all.sh [workload ...]        (default: all)
#   REPEAT=5 bench/run_all.sh              (runs per side, interleaved; medians; default 3)
# Absolute times drift between runs and machines: read the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
workloads=("$@")
((${#workloads[@]})) || workloads=(spawn yield timers pingpong queue cancel gather empty)
python=${PYTHON:-python3}

./bazelw build -c opt //bench:workloads >/dev/null 2>&1 || ./bazelw build -c opt //bench:workloads
bin=$(./bazelw info -c opt bazel-bin 2>/dev/null)/bench

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
repeat=${REPEAT:-3}
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
checks() { { grep '^check ' <<<"$1" || true; } | sed 's/.*workload=[^ ]* //; s/ *setup_ns_per_task=[^ ]*//'; }

echo "medians of $repeat interleaved runs per side; sim, rec: lockstep under simulate() (decisions"
echo "kept in memory) and recording a trace file, as multiples of its plain run (goal: <= 2x)"
printf '%-9s %14s %14s %9s %14s %14s %6s %6s\n' workload "cpython ns/op" "lockstep ns/op" ratio \
  "cpython MiB" "lockstep MiB" sim rec
status=0

for w in "${workloads[@]}"; do
  c_all="" p_all="" s_all="" r_all="" c_kb=0 p_kb=0
  for ((i = 0; i < repeat; i++)); do
    cpp_err=$(mktemp) py_err=$(mktemp)
    cpp=$("$bin/$w" 2>"$cpp_err")
    py=$("$python" "bench/py/$w.py" 2>"$py_err")
    cpp_check=$(checks "$(cat "$cpp_err")") py_check=$(checks "$(cat "$py_err")")
    if [[ "$cpp_check" != "$py_check" ]]; then
      echo "$w: CHECKSUMS DIFFER: lockstep '$cpp_check' vs cpython '$py_check'" >&2
      status=1
    fi
    rm -f "$cpp_err" "$py_err"
    c_all+="$(field ns_per_op "$cpp")"$'\n' p_all+="$(field ns_per_op "$py")"$'\n'
    sim=$(LOCKSTEP_BENCH_MODE=simulate "$bin/$w" 2>/dev/null)
    rec=$(LOCKSTEP_BENCH_MODE=record "$bin/$w" 2>/dev/null)
    s_all+="$(field ns_per_op "$sim")"$'\n' r_all+="$(field ns_per_op "$rec")"$'\n'
    c_kb=$(field peak_rss_kb "$cpp") p_kb=$(field peak_rss_kb "$py")
  done
  c_ns=$(median <<<"${c_all%$'\n'}") p_ns=$(median <<<"${p_all%$'\n'}")
  s_ns=$(median <<<"${s_all%$'\n'}") r_ns=$(median <<<"${r_all%$'\n'}")
  times() { awk -v a="$1" -v c="$c_ns" 'BEGIN { if (c > 0) printf "%.1fx", a / c; else print "-" }'; }
  ratio=$(awk -v p="$p_ns" -v c="$c_ns" 'BEGIN { if (c > 0) printf "%.1fx", p / c; else print "-" }')
  printf '%-9s %14s %14s %9s %14.1f %14.1f %6s %6s\n' "$w" "$p_ns" "$c_ns" "$ratio" \
    "$(awk -v k="$p_kb" 'BEGIN{print k/1024}')" "$(awk -v k="$c_kb" 'BEGIN{print k/1024}')" \
    "$(times "$s_ns")" "$(times "$r_ns")"
done
exit $status
