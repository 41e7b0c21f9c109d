#!/usr/bin/env bash
# What must not compile, checked with the host's compilers (each file under
# compile_checks/ is compiled with -fsyntax-only, never linked):
# 1. Every awaitable lockstep returns is [[nodiscard]]: `lockstep::sleep(1s);` without
#    co_await must not compile under -Werror=unused-result (lockstep_test() and the
#    project's own targets build with it). discarded_awaitables.cc as written: each
#    statement marked DISCARDED refused on its own line; with -DAWAITED (the same
#    statements awaited) it compiles.
# 2. task_group() with a capturing lambda written inline in co_await: refused by g++ < 13
#    (which destroys it twice), compiled by clang.
set -uo pipefail
src="$TEST_SRCDIR/$TEST_WORKSPACE"
file=tests/loop/compile_checks/discarded_awaitables.cc
cxx=${CXX:-g++}
flags=(-std=c++20 -fsyntax-only -Werror=unused-result -I "$src")
# clang stops after 20 errors by default, and every DISCARDED line must be reported.
[[ $("$cxx" --version) == *clang* ]] && flags+=(-ferror-limit=0)

if ! out=$(cd "$src" && "$cxx" "${flags[@]}" -DAWAITED "$file" 2>&1); then
  echo "FAIL: the awaited form does not compile:"; echo "$out"; exit 1
fi
out=$(cd "$src" && "$cxx" "${flags[@]}" "$file" 2>&1) && { echo "FAIL: discarded awaitables compiled"; exit 1; }

failed=0 checked=0
while IFS=: read -r line what; do
  checked=$((checked + 1))
  if ! grep -q "discarded_awaitables.cc:$line:[0-9]*: error: .*\(nodiscard\|unused\|ignoring return value\)" <<<"$out"; then
    echo "FAIL: line $line (${what# }) was not refused"; failed=1
  fi
done < <(grep -n '// DISCARDED' "$src/$file" | sed 's|:.*// DISCARDED|:|')
((checked >= 20)) || { echo "FAIL: only $checked DISCARDED lines found"; exit 1; }
((failed == 0)) || { echo "--- compiler output ---"; echo "$out"; exit 1; }
echo "ok: $checked discarded awaitables refused, the awaited form compiles"

inline=tests/loop/compile_checks/inline_lambda_task_group.cc
gcc_major=$(g++ -dumpversion | cut -d. -f1)
out=$(cd "$src" && g++ -std=c++20 -fsyntax-only -I "$src" "$inline" 2>&1)
rc=$?
if ((gcc_major < 13)); then
  [[ $rc -ne 0 ]] && grep -q "GCC PR 100611" <<<"$out" \
    || { echo "FAIL: g++ $gcc_major accepted an inline capturing lambda in task_group:"; echo "$out"; exit 1; }
  echo "ok: g++ $gcc_major refuses an inline capturing lambda in co_await task_group(...)"
fi
if command -v clang++-14 >/dev/null; then
  out=$(cd "$src" && clang++-14 -std=c++20 -fsyntax-only -I "$src" "$inline" 2>&1) \
    || { echo "FAIL: clang++-14 refused the inline lambda:"; echo "$out"; exit 1; }
  echo "ok: clang++-14 compiles it"
fi
echo "PASS"
