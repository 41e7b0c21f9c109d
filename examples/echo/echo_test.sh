#!/usr/bin/env bash
# Runs examples/echo for real over loopback: the one-process demo, then a server and a
# client as separate processes (the server's port is chosen by the kernel and read from
# its first line). Bounded: every wait has a timeout.
set -euo pipefail
echo_bin=$1

expected="server listening on 127.0.0.1 (port chosen by the kernel)
echoed: client 1 says 1
echoed: client 1 says 2
echoed: client 2 says 1
echoed: client 2 says 2
echoed: client 3 says 1
echoed: client 3 says 2
server closed after 3 connections"
diff -u <(echo "$expected") <(timeout 20 "$echo_bin")

# The server's first line, read as soon as it is printed (no polling, no fixed sleep).
exec 3< <(exec timeout 30 "$echo_bin" server 127.0.0.1:0)
server=$!
read -r -t 20 -u 3 first || { echo "FAIL: the server printed nothing"; exit 1; }
address=${first#echo server listening on }
[[ $address != "$first" ]] || { echo "FAIL: unexpected first line: $first"; exit 1; }
reply=$(timeout 20 "$echo_bin" client "$address" hello world)
kill -INT "$server"
rest=$(timeout 20 cat <&3)
diff -u <(printf "sent 'hello', got 'hello'\nsent 'world', got 'world'\n") <(echo "$reply")
grep -q "interrupted by SIGINT: shut down" <<<"$rest" || { echo "FAIL: no clean shutdown: $rest"; exit 1; }
echo "ok: demo, and a server and a client talking over 127.0.0.1"
