#!/usr/bin/env bash
# The echo benchmark over loopback, side by side in one run: lockstep's real driver,
# Boost.Asio (C++20 coroutines), CPython asyncio and uvloop. Each runs server and clients
# in one process on one thread. Prints medians of REPEAT runs and ratios to lockstep.
#   bench/echo/run.sh                     # both workloads
#   REPEAT=5 bench/echo/run.sh stream
# Installs what it needs from Debian (libboost1.81-dev, python3-uvloop) like ./bazelw.
set -euo pipefail
cd "$(dirname "$0")/../.."
workloads=("$@")
((${#workloads[@]})) || workloads=(pingpong stream)
repeat=${REPEAT:-3}
python=/usr/bin/python3  # Debian's interpreter: python3-uvloop is installed for it

missing=()
for pkg in libboost1.81-dev python3-uvloop; do
  [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "echo bench: installing ${missing[*]}" >&2
  sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

targets=(//bench/echo:echo_lockstep //bench/echo:echo_asio)
./bazelw build -c opt "${targets[@]}" >/dev/null 2>&1 || ./bazelw build -c opt "${targets[@]}"
bin=$(./bazelw info -c opt bazel-bin 2>/dev/null)/bench/echo

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

printf '%-9s %-9s %14s %14s %9s %18s\n' workload impl "us/request" "requests/s" "MB/s" "lockstep speedup"
for w in "${workloads[@]}"; do
  declare -A us=() rps=() mbs=()
  impls=(lockstep asio asyncio uvloop)
  for impl in "${impls[@]}"; do us[$impl]="" rps[$impl]="" mbs[$impl]=""; done
  for ((i = 0; i < repeat; i++)); do
    for impl in "${impls[@]}"; do  # interleaved: drift hits every side alike
      case $impl in
        lockstep) out=$(timeout 300 "$bin/echo_lockstep" "$w") ;;
        asio) out=$(timeout 300 "$bin/echo_asio" "$w") ;;
        asyncio) out=$(timeout 300 "$python" bench/echo/echo_asyncio.py "$w") ;;
        uvloop) out=$(timeout 300 "$python" bench/echo/echo_asyncio.py --uvloop "$w") ;;
      esac
      us[$impl]+="$(field us_per_request "$out")"$'\n'
      rps[$impl]+="$(field requests_per_s "$out")"$'\n'
      mbs[$impl]+="$(field mb_per_s "$out")"$'\n'
    done
  done
  base=$(median <<<"${us[lockstep]%$'\n'}")
  for impl in "${impls[@]}"; do
    u=$(median <<<"${us[$impl]%$'\n'}")
    printf '%-9s %-9s %14s %14s %9s %18s\n' "$w" "$impl" "$u" "$(median <<<"${rps[$impl]%$'\n'}")" \
      "$(median <<<"${mbs[$impl]%$'\n'}")" "$(awk -v a="$u" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')"
  done
done
