#!/usr/bin/env bash
# Every awaitable lockstep returns is [[nodiscard]]: `lockstep::sleep(1s);` without
# co_await must not compile under -Werror=unused-result (lockstep_test() and the
# project's own targets build with it). Compiles nodiscard/discarded_awaitables.cc twice
# with the host's C++ compiler: as written, each statement marked DISCARDED must be
# refused on its own line; with -DAWAITED (the same statements awaited) it must compile.
set -uo pipefail
src="$TEST_SRCDIR/$TEST_WORKSPACE"
file=tests/loop/nodiscard/discarded_awaitables.cc
cxx=${CXX:-g++}
flags=(-std=c++20 -fsyntax-only -Werror=unused-result -I "$src")

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
echo "PASS: $checked discarded awaitables refused, the awaited form compiles"
