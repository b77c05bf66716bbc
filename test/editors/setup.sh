#!/usr/bin/env bash
# Real editors for the editors suite: Neovim (0.7 in Debian 12) and Emacs 28 with
# eglot (elpa-eglot), from Debian's packages. Idempotent.
set -euo pipefail
need=()
command -v nvim >/dev/null 2>&1 || need+=(neovim)
command -v emacs >/dev/null 2>&1 || need+=(emacs-nox)
[ -d /usr/share/emacs/site-lisp/elpa-src ] && ls /usr/share/emacs/site-lisp/elpa-src | grep -q '^eglot-' || need+=(elpa-eglot)
if [ ${#need[@]} -gt 0 ]; then
  echo "editors: installing ${need[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${need[@]}" >/dev/null
fi
nvim --version | head -1
emacs --version | head -1
