#!/usr/bin/env bash
# Runs an example and compares its output with the committed <name>.expected: the
# examples are deterministic (virtual time), so any difference is a change in behaviour.
set -euo pipefail
binary=$1 expected=$2
if ! diff -u "$expected" <("$binary" 2>&1); then
  echo "FAIL: $(basename "$binary") printed something else than $(basename "$expected")"
  exit 1
fi
