#!/usr/bin/env bash
# podman and buildah (Debian packages, rootful: CI runs as root) for the engine suite,
# with the base images they need copied from our dockerd (scripts/engine/setup-engine.sh,
# make-base-images.sh): `docker save | podman load`. podman and buildah share
# /var/lib/containers, so buildah sees the same images. Idempotent.
#   scripts/engine/podman-images.sh [image ...]   default: debian:bookworm-slim
set -euo pipefail
DSE_DIR="${DSE_DIR:-/tmp/dse}"
DOCKER="$DSE_DIR/bin/docker"
images=("$@")
[ ${#images[@]} -gt 0 ] || images=(debian:bookworm-slim)

if ! command -v podman >/dev/null 2>&1 || ! command -v buildah >/dev/null 2>&1; then
  echo "podman-images: installing podman and buildah (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 podman buildah >/dev/null
fi
[ -x "$DOCKER" ] || { echo "podman-images: $DOCKER not found: run scripts/engine/setup-engine.sh start first" >&2; exit 1; }
for img in "${images[@]}"; do
  if podman image exists "$img" 2>/dev/null || podman image exists "localhost/$img" 2>/dev/null; then
    echo "podman-images: $img already in podman storage"
    continue
  fi
  echo "podman-images: $img: docker save | podman load"
  "$DOCKER" save "$img" | podman load >/dev/null
  # `docker save` keeps the name; podman may store it as localhost/<name>: tag the plain name too.
  podman image exists "$img" || podman tag "localhost/$img" "$img" 2>/dev/null || true
done
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | sed 's/^/podman-images: /'
