#!/usr/bin/env bash
# The README's test command (`npm test`): sets up what the tests need on a fresh
# machine (npm packages; a Docker engine and base images; code-server and
# chromium for the real-VS-Code tests), builds, and runs every suite.
# Ends with one line "N passed, N failed".
#   SKIP_E2E=1      skip the real-VS-Code suite (and its setup)
#   SKIP_ENGINE=1   skip the Docker engine suite (and its setup)
#   SKIP_EDITORS=1  skip the real-editor suite (Neovim, Emacs + eglot)
set -uo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
step() { echo; echo "### $* ($(( $(date +%s) - t0 )) s)"; }

if [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund || exit 1
fi
step "type check (tsc) and bundle (esbuild)"
npx tsc -p . || exit 1
node scripts/esbuild.mjs || exit 1

suites=(lint unit golden lsp grammar)
if [ "${SKIP_ENGINE:-0}" != 1 ] && [ -f scripts/engine/setup-engine.sh ] && [ -d test/engine ]; then
  step "Docker engine (scripts/engine)"
  if bash scripts/engine/setup-engine.sh start && { [ ! -f scripts/engine/make-base-images.sh ] || bash scripts/engine/make-base-images.sh; } && { [ ! -f scripts/engine/podman-images.sh ] || bash scripts/engine/podman-images.sh; }; then
    suites+=(engine)
  else
    echo "engine setup failed: the engine suite is counted as failed" >&2
    suites+=(engine)
  fi
fi
if [ "${SKIP_EDITORS:-0}" != 1 ] && [ -f test/editors/setup.sh ]; then
  step "Neovim and Emacs + eglot (Debian) for the editors suite"
  bash test/editors/setup.sh || echo "editors setup failed; the editors suite will fail" >&2
  suites+=(editors)
fi
if [ "${SKIP_E2E:-0}" != 1 ] && [ -f test/e2e/setup.sh ]; then
  step "real VS Code (code-server) for the e2e suite"
  bash test/e2e/setup.sh || echo "e2e setup failed; the e2e suite will fail" >&2
  suites+=(e2e)
  [ -f test/ui/run.mjs ] && suites+=(ui)
fi
step "run suites: ${suites[*]}"
node scripts/run-suites.mjs "${suites[@]}"
