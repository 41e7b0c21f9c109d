#!/usr/bin/env bash
# Three kv nodes as real processes on 127.0.0.1 with kernel-chosen ports: a put and a get
# through the leader, then one node is killed with SIGKILL and the data is still served,
# then it is restarted on its port over its data directory and the cluster takes it back.
#   real_cluster_test.sh path/to/kv
set -euo pipefail
kv=$1
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/kv-cluster.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  for i in 1 2 3; do echo "--- node $i:"; cat "$work/log$i" 2>/dev/null || true; done
  exit 1
}

start() {  # start ID LISTEN
  "$kv" node --id "$1" --listen "$2" --port-file "$work/port$1" --peers-file "$work/peers" \
    --data "$work/data$1" >>"$work/log$1" 2>&1 &
  pids[$1]=$!
}

# Waits up to 10s (polling) for `file` to exist.
wait_for_file() {
  for ((i = 0; i < 200; ++i)); do [[ -s $1 ]] && return 0; sleep 0.05; done
  fail "no $1 after 10s"
}

for id in 1 2 3; do start "$id" 127.0.0.1:0; done
for id in 1 2 3; do wait_for_file "$work/port$id"; done
peers=""
for id in 1 2 3; do
  echo "127.0.0.1:$(cat "$work/port$id")" >>"$work/peers.tmp"
  peers+="127.0.0.1:$(cat "$work/port$id"),"
done
mv "$work/peers.tmp" "$work/peers"
peers=${peers%,}

client() { "$kv" client --peers "$peers" --deadline-ms 10000 "$@"; }

[[ $(client put x 1) == OK ]] || fail "put x 1"
[[ $(client put y 2) == OK ]] || fail "put y 2"
[[ $(client get x) == 1 ]] || fail "get x after the puts"
echo "ok: put and get through the leader"

# SIGKILL node 1 (leader or not): two of three still serve, and have the data.
kill -9 "${pids[1]}"
wait "${pids[1]}" 2>/dev/null || true
[[ $(client get x) == 1 ]] || fail "get x with node 1 killed"
[[ $(client put z 3) == OK ]] || fail "put z with node 1 killed"
echo "ok: node 1 killed, x still 1, z written"

# Node 1 again, same port and data directory: it recovers its log and catches up.
start 1 "127.0.0.1:$(cat "$work/port1")"
kill -9 "${pids[2]}"  # now a majority needs node 1
wait "${pids[2]}" 2>/dev/null || true
[[ $(client get z) == 3 ]] || fail "get z after node 1's restart with node 2 killed"
[[ $(client get y) == 2 ]] || fail "get y after node 1's restart with node 2 killed"
echo "ok: node 1 restarted over its data, node 2 killed: z and y still there"
[[ -s "$work/data1/wal" ]] || fail "node 1 has no wal"
echo "PASS"
