#!/usr/bin/env bash
# Build the base images that tests and users' Dockerfiles name (debian, golang,
# node, python, rust, maven/eclipse-temurin, gcc, gcr.io/distroless/*) from
# Debian bookworm packages only: no container registry is ever contacted.
#
#   scripts/engine/make-base-images.sh                  # everything missing or outdated
#   scripts/engine/make-base-images.sh --only golang,distroless
#   scripts/engine/make-base-images.sh --list           # units and their tags
#   scripts/engine/make-base-images.sh --force ...      # rebuild even if up to date
#   scripts/engine/make-base-images.sh --force --no-cache   # ... and without BuildKit's cache
#
# Needs the engine (scripts/engine/setup-engine.sh start), root and the apt
# mirror. Idempotent: every image carries the label
# org.dockerfile-stages.engine.recipe = hash(its recipe files + the image IDs
# of the images it is built FROM); an image whose label matches is skipped
# (its extra tags are re-applied), an outdated one is rebuilt.
#
# Recipes live in scripts/engine/images/<unit>/: debian is debootstrap
# --variant=minbase + `docker import` (images/debian holds the files laid over
# the rootfs); all others are Dockerfiles built with BuildKit on top of it.
#
# Knobs (environment):
#   DSE_DIR        engine state dir (default /tmp/dse; logs go to $DSE_DIR/logs/images)
#   DEBIAN_MIRROR  apt mirror for debootstrap and the images (default: read
#                  from the host's apt sources)
#   DEBIAN_SECURITY_MIRROR  security mirror (default: from the host's apt sources)
#   JOBS           parallel docker builds after debian (default 2)
#   http_proxy     passed to debootstrap and to builds if set (or apt's Acquire::http::Proxy)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
IMG="$HERE/images"
DSE_DIR=${DSE_DIR:-/tmp/dse}
SUITE=bookworm
JOBS=${JOBS:-2}
LOGDIR="$DSE_DIR/logs/images"
LABEL=org.dockerfile-stages.engine.recipe
export DOCKER_HOST=${DOCKER_HOST:-unix://$DSE_DIR/docker.sock}
export DOCKER_BUILDKIT=1
DOCKER=/usr/bin/docker   # not /usr/local/bin/docker: that one has no BuildKit here

log() { printf '[make-base-images %(%T)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- the units
# unit: tags (first = primary) | recipe dir | build target | units it is FROM
# (longest builds first: they are started first when JOBS > 1)
UNITS=(debian debian-slim node rust golang temurin gcc temurin-jre python-slim python node-slim
       distroless-static distroless-static-nonroot distroless-base distroless-base-nonroot
       distroless-cc distroless-cc-nonroot)
declare -A TAGS DIR TARGET DEPS
TAGS[debian]="debian:bookworm debian:12";                 DIR[debian]=debian
TAGS[debian-slim]="debian:bookworm-slim debian:12-slim";  DIR[debian-slim]=debian
TAGS[golang]="golang:1.19 golang:1.19-bookworm golang:1.19.8 golang:1.19.8-bookworm golang:latest"
TAGS[node]="node:18 node:18-bookworm"
TAGS[node-slim]="node:18-slim node:18-bookworm-slim"
TAGS[python]="python:3.11 python:3.11-bookworm"
TAGS[python-slim]="python:3.11-slim python:3.11-slim-bookworm"
TAGS[rust]="rust:1.63 rust:1.63-bookworm rust:1.63.0"
TAGS[temurin]="maven:3-eclipse-temurin-17 maven:3.8-eclipse-temurin-17 eclipse-temurin:17-jdk eclipse-temurin:17 openjdk:17 openjdk:17-jdk"
TAGS[temurin-jre]="eclipse-temurin:17-jre"
TAGS[gcc]="gcc:12 gcc:12-bookworm gcc:12.2"
for v in static base cc; do
  TAGS[distroless-$v]="gcr.io/distroless/$v-debian12 gcr.io/distroless/$v"
  TAGS[distroless-$v-nonroot]="gcr.io/distroless/$v-debian12:nonroot gcr.io/distroless/$v:nonroot"
  DIR[distroless-$v]=distroless;         TARGET[distroless-$v]=$v
  DIR[distroless-$v-nonroot]=distroless; TARGET[distroless-$v-nonroot]=$v-nonroot
  DEPS[distroless-$v]=debian;            DEPS[distroless-$v-nonroot]=debian
done
for u in golang node python rust temurin temurin-jre gcc; do DIR[$u]=$u; DEPS[$u]=debian; done
DIR[node-slim]=node-slim;     DEPS[node-slim]=debian-slim
DIR[python-slim]=python-slim; DEPS[python-slim]=debian-slim
DEPS[debian]=""; DEPS[debian-slim]=""

primary() { set -- ${TAGS[$1]}; echo "$1"; }

usage() {
  sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'
  echo; echo "units (--only also takes: all, distroless, java, slim):"
  local u; for u in "${UNITS[@]}"; do printf '  %-26s %s\n' "$u" "${TAGS[$u]}"; done
}

# ---------------------------------------------------------------- arguments
ONLY="all"; FORCE=0; NO_CACHE=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY=${2:?--only needs a list}; shift 2 ;;
    --only=*) ONLY=${1#--only=}; shift ;;
    --force) FORCE=1; shift ;;
    --no-cache) NO_CACHE=(--no-cache); shift ;;
    --list) usage; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

declare -A WANT EXPLICIT
want() {
  local n=$1 d
  [ -n "${TAGS[$n]:-}" ] || die "unknown image unit '$n' (see --list)"
  [ -n "${WANT[$n]:-}" ] && return
  for d in ${DEPS[$n]}; do want "$d"; done   # FROM images are needed too
  WANT[$n]=1
}
pick() { EXPLICIT[$1]=1; want "$1"; }
for n in ${ONLY//,/ }; do
  case "$n" in
    all) for u in "${UNITS[@]}"; do pick "$u"; done ;;
    distroless) for u in "${UNITS[@]}"; do case $u in distroless-*) pick "$u" ;; esac; done ;;
    java) pick temurin; pick temurin-jre ;;
    slim) pick debian-slim; pick node-slim; pick python-slim ;;
    *) pick "$n" ;;
  esac
done

# ---------------------------------------------------------------- preflight
"$DOCKER" info >/dev/null 2>&1 || die "engine not reachable at $DOCKER_HOST; run scripts/engine/setup-engine.sh start"
command -v debootstrap >/dev/null || die "debootstrap missing; run scripts/engine/setup-engine.sh install"
mkdir -p "$LOGDIR"
# One run at a time (tests may call this script while someone else runs it).
exec 8>"$DSE_DIR/.images.lock"
if ! flock -n 8; then
  log "another make-base-images.sh is running; waiting for it (up to 30 min)"
  flock -w 1800 8 || die "timed out waiting for $DSE_DIR/.images.lock"
fi

find_mirror() {  # find_mirror security|main: first matching URIs from the host's apt sources
  local kind=$1 f m
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    m=$(awk -v k="$kind" '
      /^URIs:/ {u=$2}
      /^Suites:/ { sec = ($0 ~ /security/); if (u != "" && ((k == "security") == sec)) {print u; exit} }
      /^$/ {u=""}' "$f")
    [ -n "$m" ] && { echo "$m"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    m=$(awk -v k="$kind" '$1=="deb" && (k == "security") == ($0 ~ /security/) {
          for (i=2;i<=NF;i++) if ($i ~ /^(http|https|ftp|file):/) {print $i; exit} }' "$f")
    [ -n "$m" ] && { echo "$m"; return; }
  done
  return 1
}
MIRROR=${DEBIAN_MIRROR:-$(find_mirror main || true)}
[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
SEC_MIRROR=${DEBIAN_SECURITY_MIRROR:-$(find_mirror security || true)}

if [ -z "${http_proxy:-}" ]; then
  eval "$(apt-config shell APT_HTTP_PROXY Acquire::http::Proxy)"
  if [ -n "${APT_HTTP_PROXY:-}" ] && [ "$APT_HTTP_PROXY" != DIRECT ]; then export http_proxy=$APT_HTTP_PROXY; fi
fi
BUILD_ARGS=()
[ -n "${http_proxy:-}" ] && BUILD_ARGS+=(--build-arg "http_proxy=$http_proxy")

# ---------------------------------------------------------------- helpers
image_id() { "$DOCKER" image inspect --format '{{.Id}}' "$1" 2>/dev/null; }
image_label() { "$DOCKER" image inspect --format "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null; }

# hash of the recipe: files of the recipe dir + target + IDs of the FROM images
recipe_hash() {
  local u=$1 d
  {
    echo "unit=$u target=${TARGET[$u]:-} suite=$SUITE"
    (cd "$IMG/${DIR[$u]}" && find . -type f | LC_ALL=C sort | while read -r f; do echo "== $f"; cat "$f"; done)
    for d in ${DEPS[$u]}; do echo "from $d $(image_id "$(primary "$d")")"; done
  } | sha256sum | cut -c1-16
}

retag() {  # point every tag of the unit at its primary image
  local u=$1 p t; p=$(primary "$u")
  for t in ${TAGS[$u]}; do [ "$t" = "$p" ] || "$DOCKER" tag "$p" "$t"; done
}

# --force applies to the units asked for, not to the FROM images pulled in
up_to_date() {
  local u=$1 h=$2
  { [ "$FORCE" = 0 ] || [ -z "${EXPLICIT[$u]:-}" ]; } && [ "$(image_label "$(primary "$u")")" = "$h" ]
}

declare -A RESULT SECS
record() {  # record <unit> <built|skipped|FAILED> <seconds>
  RESULT[$1]=$2; SECS[$1]=$3
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$LOGDIR/results.tsv"
}

# ---------------------------------------------------------------- debian (debootstrap + import)
build_debian() {
  local hf hs t0=$SECONDS root="$DSE_DIR/rootfs-$SUITE"
  hf=$(recipe_hash debian); hs=$(recipe_hash debian-slim)
  if { [ -z "${WANT[debian]:-}" ] || up_to_date debian "$hf"; } &&
     { [ -z "${WANT[debian-slim]:-}" ] || up_to_date debian-slim "$hs"; }; then
    local u
    for u in debian debian-slim; do
      [ -n "${WANT[$u]:-}" ] || continue
      retag "$u"; record "$u" skipped 0; log "$u: up to date ($(primary "$u"))"
    done
    return
  fi
  local dlog="$LOGDIR/debian.log"
  log "debian: debootstrap --variant=minbase $SUITE (log $dlog)"
  rm -rf "$root"
  if ! debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$dlog" 2>&1; then
    tail -n 30 "$dlog" >&2; die "debootstrap failed (log $dlog)"
  fi
  # like the official images: apt sources for main, updates and security;
  # no caches, logs, host files (resolv.conf, hostname) or machine-id
  rm -f "$root/etc/apt/sources.list" "$root/etc/resolv.conf" "$root/etc/hostname"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$MIRROR" "$SUITE" "$SUITE"
    if [ -n "$SEC_MIRROR" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$SEC_MIRROR" "$SUITE"
    fi
  } >"$root/etc/apt/sources.list.d/debian.sources"
  cp -a "$IMG/debian/rootfs/." "$root/"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
         "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/tmp/* "$root"/var/tmp/*
  find "$root/var/log" -type f -delete
  : >"$root/etc/machine-id"
  local changes=(-c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" -c 'CMD ["bash"]')
  log "debian: docker import -> ${TAGS[debian]}"
  tar --numeric-owner -C "$root" -c . | "$DOCKER" import "${changes[@]}" -c "LABEL $LABEL=$hf" - "$(primary debian)" >/dev/null
  retag debian
  record debian built $((SECONDS - t0))
  # slim: the same rootfs minus docs/man/locales, and dpkg told to keep it so
  t0=$SECONDS
  cp -a "$IMG/debian/slim/." "$root/"
  (cd "$root" && find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
   find usr/share/doc -mindepth 1 -type d -empty -delete 2>/dev/null || true
   rm -rf usr/share/groff/* usr/share/info/* usr/share/linda/* usr/share/lintian/overrides/* usr/share/locale/* usr/share/man/*)
  hs=$(recipe_hash debian-slim)
  log "debian: docker import (slim) -> ${TAGS[debian-slim]}"
  tar --numeric-owner -C "$root" -c . | "$DOCKER" import "${changes[@]}" -c "LABEL $LABEL=$hs" - "$(primary debian-slim)" >/dev/null
  retag debian-slim
  rm -rf "$root"
  record debian-slim built $((SECONDS - t0))
}

# ---------------------------------------------------------------- Dockerfile units
build_unit() {  # runs in a subshell (maybe in the background); result in $LOGDIR/<unit>.result
  local u=$1 h t0=$SECONDS d args=() t
  local blog="$LOGDIR/$u.log"
  for d in ${DEPS[$u]}; do
    image_id "$(primary "$d")" >/dev/null || { echo "FAILED 0" >"$LOGDIR/$u.result"; log "$u: FROM image $(primary "$d") missing"; return 1; }
  done
  h=$(recipe_hash "$u")
  if up_to_date "$u" "$h"; then
    retag "$u"; echo "skipped 0" >"$LOGDIR/$u.result"; log "$u: up to date ($(primary "$u"))"; return 0
  fi
  for t in ${TAGS[$u]}; do args+=(-t "$t"); done
  [ -n "${TARGET[$u]:-}" ] && args+=(--target "${TARGET[$u]}")
  log "$u: docker build ${DIR[$u]}${TARGET[$u]:+ --target ${TARGET[$u]}} (log $blog)"
  if "$DOCKER" build --progress=plain "${NO_CACHE[@]}" "${BUILD_ARGS[@]}" --label "$LABEL=$h" "${args[@]}" \
       -f "$IMG/${DIR[$u]}/Dockerfile" "$IMG/${DIR[$u]}" >"$blog" 2>&1; then
    echo "built $((SECONDS - t0))" >"$LOGDIR/$u.result"
    log "$u: built in $((SECONDS - t0)) s"
  else
    echo "FAILED $((SECONDS - t0))" >"$LOGDIR/$u.result"
    log "$u: BUILD FAILED after $((SECONDS - t0)) s; last lines of $blog:"
    tail -n 25 "$blog" | sed 's/^/    /' >&2
    return 1
  fi
}

# ---------------------------------------------------------------- main
T0=$SECONDS
: >"$LOGDIR/results.tsv"
log "engine $DOCKER_HOST; mirror $MIRROR${SEC_MIRROR:+, security $SEC_MIRROR}; jobs $JOBS"
if [ -n "${WANT[debian]:-}" ] || [ -n "${WANT[debian-slim]:-}" ]; then build_debian; fi

# every other unit is FROM debian or debian-slim only: run them JOBS at a time
QUEUE=()
for u in "${UNITS[@]}"; do
  case $u in debian|debian-slim) continue ;; esac
  [ -n "${WANT[$u]:-}" ] && QUEUE+=("$u")
done
running=0
for u in "${QUEUE[@]}"; do
  rm -f "$LOGDIR/$u.result"
  build_unit "$u" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true
fail=0
for u in "${QUEUE[@]}"; do
  if [ -f "$LOGDIR/$u.result" ]; then read -r st s <"$LOGDIR/$u.result"; else st=FAILED; s=0; fi
  record "$u" "$st" "$s"
  [ "$st" = FAILED ] && fail=1
done

# A rebuild leaves the replaced images untagged: drop those (dangling images
# carrying our label; images in use by a container or with children stay).
if grep -q $'\tbuilt\t' "$LOGDIR/results.tsv"; then
  log "pruning replaced images: $("$DOCKER" image prune -f --filter "label=$LABEL" 2>&1 | tail -n 1)"
fi

# ---------------------------------------------------------------- summary
{
  uptime | sed 's/^ *//' 
  printf '\n%-26s %-8s %6s %10s  %s\n' unit result secs size tags
  for u in "${UNITS[@]}"; do
    [ -n "${RESULT[$u]:-}" ] || continue
    size=$("$DOCKER" image inspect --format '{{.Size}}' "$(primary "$u")" 2>/dev/null || echo 0)
    printf '%-26s %-8s %6s %7s MB  %s\n' "$u" "${RESULT[$u]}" "${SECS[$u]}" \
      "$(awk -v b="$size" 'BEGIN{printf "%.1f", b/1e6}')" "${TAGS[$u]}"
  done
  printf 'total %d s (JOBS=%s)\n' $((SECONDS - T0)) "$JOBS"
} 2>&1 | tee "$LOGDIR/summary.txt" >&2
[ "$fail" = 0 ] || die "some images failed to build (logs in $LOGDIR)"
