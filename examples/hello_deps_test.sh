#!/usr/bin/env bash
# //examples:hello depends on //loop only (hello_deps: the libraries in its build graph).
set -uo pipefail
deps="$1"
echo "libraries //examples:hello builds:"; sed 's/^/  /' "$deps"
if grep -v '^//loop:loop$' "$deps" | grep -q .; then
  echo "FAIL: //examples:hello needs only //loop, but builds the libraries above"
  exit 1
fi
grep -q '^//loop:loop$' "$deps" || { echo "FAIL: //loop is not among them"; exit 1; }
echo "PASS"
