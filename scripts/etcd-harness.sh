# shellcheck shell=bash
# A throwaway single-member etcd on loopback for tests and fixture generation.
#
#   source scripts/etcd-harness.sh
#   etcd_start "$workdir" || exit 1     # exports ETCD_ENDPOINT, ETCD_PID (and ETCDCTL_API=3)
#   etcdctl --endpoints "$ETCD_ENDPOINT" put k v
#   etcd_stop                           # also runs from the EXIT trap etcd_start installs
#
# Uses the etcd/etcdctl on PATH (Debian: etcd-server, etcd-client). When they are missing,
# etcd_start prints why and returns 1: callers must fail, not skip.
# Environment: ETCD_HARNESS_PORTS="FIRST-LAST" (default 23790-24789) is the range the client and
# peer ports are picked from; ETCD_HARNESS_TIMEOUT (default 30) is the seconds to wait for
# health.

_etcd_port_free() {
  # Something accepting connections on the port means it is taken.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

etcd_start() {
  local dir=${1:?usage: etcd_start DIR}
  if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
    echo "etcd-harness: etcd and etcdctl must be installed (Debian packages etcd-server" \
      "and etcd-client; scripts/setup installs them)" >&2
    return 1
  fi
  if [ -n "${ETCD_PID:-}" ] && kill -0 "$ETCD_PID" 2>/dev/null; then
    echo "etcd-harness: an etcd started by this shell is already running (pid $ETCD_PID)" >&2
    return 1
  fi
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd) || return 1

  # etcd 3.4 refuses to start on architectures other than amd64/ppc64le/s390x unless told.
  case "$(uname -m)" in
    x86_64 | ppc64le | s390x) ;;
    aarch64) export ETCD_UNSUPPORTED_ARCH=arm64 ;;
    *) ETCD_UNSUPPORTED_ARCH=$(uname -m) && export ETCD_UNSUPPORTED_ARCH ;;
  esac

  local range=${ETCD_HARNESS_PORTS:-23790-24789}
  local first=${range%-*} last=${range#*-}
  local span=$((last - first + 1))
  local timeout=${ETCD_HARNESS_TIMEOUT:-30}
  local client peer offset pid deadline
  for _ in 1 2 3 4 5; do
    # Start at a pseudo-random even offset so parallel harnesses rarely race for a pair.
    offset=$(((RANDOM * 2) % span))
    client=""
    local i
    for ((i = 0; i < span; i += 2)); do
      local c=$((first + (offset + i) % span))
      local p=$((c + 1))
      [ "$p" -le "$last" ] || continue
      if _etcd_port_free "$c" && _etcd_port_free "$p"; then
        client=$c
        peer=$p
        break
      fi
    done
    if [ -z "$client" ]; then
      echo "etcd-harness: no free port pair in $range" >&2
      return 1
    fi
    rm -rf "$dir/data"
    # A name of its own: with several harnesses starting at once, the health check below must
    # not mistake another harness's etcd on a contested port for this one.
    local name="${ETCD_HARNESS_NAME:-kvsnap-harness}-$$-$RANDOM"
    etcd --name "$name" --data-dir "$dir/data" \
      --listen-client-urls "http://127.0.0.1:$client" \
      --advertise-client-urls "http://127.0.0.1:$client" \
      --listen-peer-urls "http://127.0.0.1:$peer" \
      --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
      --initial-cluster "$name=http://127.0.0.1:$peer" \
      --initial-cluster-state new \
      >"$dir/etcd.log" 2>&1 &
    pid=$!
    deadline=$((SECONDS + timeout))
    while :; do
      if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        # Lost a port race (or another failure): try another pair, then give up with the log.
        if grep -q "address already in use" "$dir/etcd.log"; then
          continue 2
        fi
        echo "etcd-harness: etcd exited during start-up; log $dir/etcd.log:" >&2
        tail -n 20 "$dir/etcd.log" >&2
        return 1
      fi
      if ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$client" \
        --command-timeout=2s member list 2>/dev/null | grep -q ", $name, "; then
        break 2
      fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "etcd-harness: etcd not healthy after ${timeout}s; log $dir/etcd.log:" >&2
        tail -n 20 "$dir/etcd.log" >&2
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        return 1
      fi
      sleep 0.2
    done
  done
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "etcd-harness: could not start etcd (ports kept being taken)" >&2
    return 1
  fi

  export ETCD_ENDPOINT="http://127.0.0.1:$client"
  export ETCD_PID=$pid
  export ETCD_DATA_DIR="$dir/data"
  export ETCDCTL_API=3

  # Stop etcd when the shell exits, keeping whatever EXIT trap the caller had.
  local prev
  prev=$(trap -p EXIT)
  prev=${prev#"trap -- '"}
  prev=${prev%"' EXIT"}
  prev=${prev//"'\\''"/"'"}
  if [[ "$prev" != *etcd_stop* ]]; then
    # shellcheck disable=SC2064
    trap "etcd_stop${prev:+; $prev}" EXIT
  fi
  # Make INT/TERM run the EXIT trap unless the caller already handles them.
  [ -n "$(trap -p INT)" ] || trap 'exit 130' INT
  [ -n "$(trap -p TERM)" ] || trap 'exit 143' TERM
  return 0
}

etcd_stop() {
  local pid=${ETCD_PID:-}
  [ -n "$pid" ] || return 0
  # Works under `set -e` in the caller: nothing here may fail.
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
  # etcd reads ETCD_DATA_DIR itself: left set, it would clash with the next etcd_start's --data-dir.
  unset ETCD_PID ETCD_ENDPOINT ETCD_DATA_DIR
  return 0
}
