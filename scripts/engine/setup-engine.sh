#!/usr/bin/env bash
# Private Docker engine for real builds in tests and CI (no container registry
# needed). Installs Debian's docker.io (dockerd 20.10 with BuildKit built in,
# containerd, runc) and debootstrap, and runs one dockerd of our own with a
# short private state dir, overlay2 and the default bridge network.
#
#   scripts/engine/setup-engine.sh [start]   install if missing, start, wait for `docker info`
#   scripts/engine/setup-engine.sh stop      stop our dockerd (and its containerd)
#   scripts/engine/setup-engine.sh status    exit 0 if the engine answers, 1 if not
#   scripts/engine/setup-engine.sh restart   stop + start
#   scripts/engine/setup-engine.sh install   apt part only
#   scripts/engine/setup-engine.sh env       print the export lines only
#
# stdout carries only `export ...` lines (start, env), logs go to stderr, so
#   eval "$(scripts/engine/setup-engine.sh start)"
# starts the engine and puts the wrapper first on PATH in the calling shell.
# The wrapper $DSE_DIR/bin/docker pins Debian's /usr/bin/docker (20.10, BuildKit
# built in; the /usr/local/bin/docker found first on PATH on these machines is
# a 28.x CLI without buildx that silently uses the legacy builder), our socket
# and DOCKER_BUILDKIT=1.
#
# Knobs (environment):
#   DSE_DIR         state dir (default /tmp/dse). Keep it short: containerd's
#                   socket lives below it and unix socket paths max out at 108 chars.
#   STORAGE_DRIVER  overlay2 (default) | vfs (only if overlay2 cannot work, e.g.
#                   DSE_DIR on overlayfs; ~15x the disk and 3-10x slower)
#   START_TIMEOUT   seconds to wait for `docker info` (default 60)
#   APT_LOCK        flock file around apt calls (default /tmp/apt.lock)
set -euo pipefail

DSE_DIR=${DSE_DIR:-/tmp/dse}
STORAGE_DRIVER=${STORAGE_DRIVER:-overlay2}
START_TIMEOUT=${START_TIMEOUT:-60}
APT_LOCK=${APT_LOCK:-/tmp/apt.lock}
SOCK="$DSE_DIR/docker.sock"
HOST="unix://$SOCK"
PIDFILE="$DSE_DIR/dockerd.pid"
LOG="$DSE_DIR/dockerd.log"
CLI=/usr/bin/docker

log() { printf '[setup-engine %(%T)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ ${#SOCK} -gt 60 ]; then
  # containerd's sockets sit deeper (exec/containerd/containerd.sock.ttrpc)
  die "DSE_DIR '$DSE_DIR' is too long for unix sockets (108 chars max); use something like /tmp/dse"
fi

print_env() {
  echo "export PATH=\"$DSE_DIR/bin:\$PATH\""
  echo "export DOCKER_HOST=$HOST"
  echo "export DOCKER_BUILDKIT=1"
}

is_installed() {
  [ -x /usr/sbin/dockerd ] && [ -x "$CLI" ] && [ -x /usr/bin/containerd ] && command -v debootstrap >/dev/null 2>&1
}

do_install() {
  if is_installed; then
    log "docker.io and debootstrap already installed ($(/usr/sbin/dockerd --version))"
    return
  fi
  [ "$(id -u)" = 0 ] || die "must run as root to apt-get install docker.io"
  log "apt-get update"
  flock "$APT_LOCK" apt-get update -qq || die "apt-get update failed"
  log "apt-get install docker.io debootstrap"
  # No systemd here (and policy-rc.d on some images): the packaged service
  # does not start; we run our own dockerd below.
  flock "$APT_LOCK" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null \
    || die "apt-get install docker.io debootstrap failed"
  is_installed || die "docker.io installed but dockerd/containerd/docker CLI not found"
  log "installed: $(/usr/sbin/dockerd --version)"
}

write_wrapper() {
  mkdir -p "$DSE_DIR/bin"
  local tmp="$DSE_DIR/bin/.docker.$$"
  cat >"$tmp" <<EOF
#!/bin/sh
# Written by scripts/engine/setup-engine.sh: Debian's docker CLI (BuildKit
# built in) against the private engine under $DSE_DIR.
: "\${DOCKER_HOST:=$HOST}"
: "\${DOCKER_BUILDKIT:=1}"
export DOCKER_HOST DOCKER_BUILDKIT
exec $CLI "\$@"
EOF
  chmod +x "$tmp"
  mv -f "$tmp" "$DSE_DIR/bin/docker"
}

answers() { timeout 10 "$CLI" -H "$HOST" info >/dev/null 2>&1; }

# alive = exists and is not a zombie (a killed daemon can linger as <defunct>
# when nothing reaps it)
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$st" != Z ]
}

# Processes of a previous run: dockerd started with our data root, or the
# containerd it spawned with our exec root. Matched on our private paths only.
leftover_pids() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    case "$cmd" in
      *dockerd*"--data-root $DSE_DIR/data "*|*containerd*"$DSE_DIR/exec/containerd/"*) echo "${p#/proc/}" ;;
    esac
  done
}

wait_gone() {  # wait_gone <seconds> <pid>...
  local secs=$1 i p alive; shift
  for i in $(seq 1 $((secs * 5))); do
    alive=0
    for p in "$@"; do pid_alive "$p" && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.2
  done
  return 1
}

cleanup_leftovers() {
  local pids p
  pids=$(leftover_pids | tr '\n' ' ')
  if [ -n "${pids// /}" ]; then
    log "stopping leftover engine processes from a previous run: $pids"
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    if ! wait_gone 20 $pids; then
      log "still alive after 20 s, sending SIGKILL to: $pids"
      for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
      wait_gone 5 $pids || die "could not stop leftover processes $pids"
    fi
  fi
  # A dockerd killed hard can leave mounts (netns, overlay, shm) below our dirs.
  local m
  for m in $(awk -v d="$DSE_DIR/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null && log "unmounted stale $m" || true
  done
  rm -f "$PIDFILE" "$SOCK" "$DSE_DIR/exec/containerd/containerd.pid"
}

do_start() {
  mkdir -p "$DSE_DIR"
  write_wrapper
  local pid=""
  [ -f "$PIDFILE" ] && pid=$(cat "$PIDFILE")
  if pid_alive "$pid"; then
    # A busy daemon (other sessions building on a loaded machine) can be slow
    # to answer: give it 30 s before treating it as a hung leftover.
    local i
    for i in 1 2 3; do
      if answers; then
        log "engine already running (dockerd pid $pid)"
        print_env
        return
      fi
    done
    log "dockerd pid $pid does not answer on $SOCK; restarting it"
  fi
  cleanup_leftovers
  local other
  other=$(for p in $(pgrep -x dockerd 2>/dev/null); do pid_alive "$p" && echo "$p"; done | paste -sd' ' || true)
  if [ -n "${other// /}" ]; then
    log "warning: another dockerd is running (pid $other, not ours); two daemons share docker0 and iptables and may conflict"
  fi
  mkdir -p "$DSE_DIR/data" "$DSE_DIR/exec"
  local args=(--data-root "$DSE_DIR/data" --exec-root "$DSE_DIR/exec" --pidfile "$PIDFILE"
              -H "$HOST" --storage-driver="$STORAGE_DRIVER" --log-level=warn)
  log "starting /usr/sbin/dockerd ${args[*]}"
  : >"$LOG"
  # setsid: the daemon must outlive this script and the caller's job control.
  setsid nohup /usr/sbin/dockerd "${args[@]}" >>"$LOG" 2>&1 </dev/null 9>&- &
  local dpid=$! t0=$SECONDS
  while ! answers; do
    if ! pid_alive "$dpid"; then
      log "dockerd exited during start-up; last log lines:"; tail -n 30 "$LOG" >&2
      die "engine could not start (see $LOG)"
    fi
    if [ $((SECONDS - t0)) -ge "$START_TIMEOUT" ]; then
      log "dockerd did not answer within ${START_TIMEOUT}s; last log lines:"; tail -n 30 "$LOG" >&2
      kill "$dpid" 2>/dev/null || true
      die "engine did not start (see $LOG)"
    fi
    sleep 0.25
  done
  local info
  info=$("$CLI" -H "$HOST" info --format 'server {{.ServerVersion}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}, runtime {{.DefaultRuntime}}')
  log "engine up after $((SECONDS - t0))s (dockerd pid $(cat "$PIDFILE" 2>/dev/null || echo "$dpid")): $info"
  case "$info" in *"storage $STORAGE_DRIVER"*) ;; *) log "warning: storage driver is not $STORAGE_DRIVER" ;; esac
  log "use: eval \"\$($0 env)\"   or call $DSE_DIR/bin/docker directly"
  print_env
}

do_stop() {
  local pid=""
  [ -f "$PIDFILE" ] && pid=$(cat "$PIDFILE")
  if pid_alive "$pid"; then
    log "stopping dockerd pid $pid"
    kill -TERM "$pid"   # dockerd stops the containerd it started
    wait_gone 30 "$pid" || { log "dockerd pid $pid ignored SIGTERM for 30 s, sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; wait_gone 5 "$pid" || true; }
  else
    log "no running dockerd recorded in $PIDFILE"
  fi
  cleanup_leftovers
  log "stopped"
}

do_status() {
  local pid=""
  [ -f "$PIDFILE" ] && pid=$(cat "$PIDFILE")
  if pid_alive "$pid" && answers; then
    log "running: dockerd pid $pid, socket $SOCK, wrapper $DSE_DIR/bin/docker"
    "$CLI" -H "$HOST" info --format 'server {{.ServerVersion}}, storage {{.Driver}}, {{.Images}} images, {{.Containers}} containers' >&2
    return 0
  fi
  if pid_alive "$pid"; then log "dockerd pid $pid is alive but does not answer on $SOCK"
  else log "not running (no live dockerd in $PIDFILE)"; fi
  return 1
}

# One start/stop at a time (several sessions may share this machine).
mkdir -p "$DSE_DIR"
exec 9>"$DSE_DIR/.setup.lock"
lock() { flock -w 300 9 || die "another setup-engine.sh has held $DSE_DIR/.setup.lock for 300 s"; }
case "${1:-start}" in
  start)   lock; do_install; do_start ;;
  install) lock; do_install ;;
  stop)    lock; do_stop ;;
  restart) lock; do_stop; do_install; do_start ;;
  status)  do_status ;;
  env)     print_env ;;
  -h|--help|help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "usage: $0 [start|stop|status|restart|install|env]" >&2; exit 2 ;;
esac
